package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/web"
)

// serve runs the HTTP server, queue worker and scheduler until ctx ends.
func (m *Main) serve(ctx context.Context, args []string) error {
	var profile *string
	rest, err := m.ParseFlags("serve", args, func(fs *flag.FlagSet) { profile = m.cpuProfileFlag(fs) })
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve takes no arguments, got %q", rest[0])
	}
	stopProfile, err := m.startCPUProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	return nil
}

// Run opens everything and starts serving in the background; Close stops
// it. Tests call it with BULLETIN_ADDR on port 0 and read Addr.
//
// A second Run on the same data folder, in this process or another, fails
// with a usage error naming the first one's pid: two primaries would
// each run the reconcilers and send the same deliveries.
//
// A refusal names each setting as it was given, flag or variable.
func (m *Main) Run(ctx context.Context) error {
	return m.Config.asGiven(m.start(ctx))
}

// start is Run, its errors naming the settings by their variables.
func (m *Main) start(ctx context.Context) error {
	// What can be checked without the database is checked before the
	// data folder is first written: a missing DKIM key or a broken
	// template used to stop serve once a new folder had a database and
	// a secret, half an install.
	if err := m.checkFiles(); err != nil {
		return err
	}
	lock, err := lockData(m.Config.Data, "stop it first, or give this one its own BULLETIN_DATA")
	if err != nil {
		return err
	}
	// The address before anything is opened: a serve that cannot listen
	// must fail before its worker sends a message (it used to send tens
	// of thousands, then stop on "address already in use"), and before
	// it makes a database and a secret in a new data folder.
	ln, err := listen(m.Config.Addr, "serve")
	if err != nil {
		lock.Close()
		return err
	}
	err = m.openAll(ctx)
	if err == nil {
		err = m.ensureEnvAdmin(ctx)
	}
	if m.app == nil {
		lock.Close()
	} else { // released last, once everything else is closed
		m.app.closers = append([]func() error{lock.Close}, m.app.closers...)
	}
	if err != nil {
		ln.Close()
		return err
	}
	a := m.app
	a.listener = ln
	m.noteServeMail()
	a.closers = append(a.closers, func() error {
		if a.http == nil { // not serving yet: nothing else closes it
			return a.listener.Close()
		}
		return nil
	})
	// After openAll, whose ping said the Redis answers, and before
	// anything starts on it.
	if err := m.checkRedisVersion(ctx, a.Queue, !m.Config.NoSend); err != nil {
		return err
	}
	srv := m.newWebServer()
	mux := asynq.NewServeMux()
	mux.HandleFunc(queue.TypeReconcile, func(ctx context.Context, t *asynq.Task) error {
		return a.Reconcilers.Run(ctx, a.Queue, m.Log)
	})
	if err := m.wireSubscribers(ctx, mux, srv); err != nil {
		return err
	}
	if err := m.wireCampaigns(ctx, mux, srv); err != nil {
		return err
	}
	if err := m.wireDigests(ctx, mux, srv); err != nil {
		return err
	}
	if err := m.wireBounces(); err != nil {
		return err
	}
	if err := m.wireWebhooks(srv); err != nil {
		return err
	}
	m.wireHooks(mux, srv)
	m.wireTracking(srv)
	if err := m.startQueue(mux); err != nil {
		return err
	}
	if err := a.Reconcilers.Run(ctx, a.Queue, m.Log); err != nil {
		m.Log.Error("start-up reconcile incomplete; the periodic run will retry", "err", err)
	}
	m.startFolder()
	m.startOutboxSweep(ctx)
	return m.startHTTP(srv)
}

// startQueue starts the asynq server on the primary's queues and the
// scheduler with its periodic tasks.
func (m *Main) startQueue(mux *asynq.ServeMux) error {
	a := m.app
	queues := map[string]int{queue.QueueResults: 6, queue.QueueDefault: 3, queue.QueueSend: 3}
	if m.Config.NoSend {
		delete(queues, queue.QueueSend)
	}
	a.asynq = asynq.NewServerFromRedisClient(a.Queue.Redis(), a.Queue.ServerConfig(queues, 16, m.Log))
	if err := a.asynq.Start(mux); err != nil {
		return fmt.Errorf("start queue worker: %w", err)
	}
	a.scheduler = asynq.NewScheduler(a.Queue.Opt, &asynq.SchedulerOpts{Logger: a.Queue.Logger(m.Log), LogLevel: asynq.WarnLevel})
	a.periodic = append(a.periodic, periodic{"@every 5m", queue.NewReconcileTask(), []asynq.Option{asynq.Unique(4 * time.Minute)}})
	for _, p := range a.periodic {
		if _, err := a.scheduler.Register(p.spec, p.task, p.opts...); err != nil {
			return fmt.Errorf("schedule %s: %w", p.task.Type(), err)
		}
	}
	if err := a.scheduler.Start(); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	return nil
}

// newWebServer returns the HTTP server's routes with the shared
// dependencies set; the wire* functions add their areas' own.
func (m *Main) newWebServer() *web.Server {
	a := m.app
	admin := web.AdminDeps{
		Templates: a.Templates,
		Inspector: asynq.NewInspectorFromRedisClient(a.Queue.Redis()),
		AnnounceQueues: func(ctx context.Context) error {
			return queue.Announce(ctx, a.Queue.Redis())
		},
		SecureCookies: strings.HasPrefix(m.publicURL(context.Background()), "https://"),
	}
	if m.Config.SMTPURL == "" {
		admin.Outbox = a.Outbox
	}
	admin.WorkersSend = m.Config.NoSend
	if cfg, err := m.deliverabilityConfig(); err == nil { // the keys loaded already: no error but a vanished file
		admin.Deliverability = web.DeliverabilityDeps{Resolver: m.resolver(), Config: cfg}
	} else {
		m.Log.Warn("deliverability checks off", "err", err)
	}
	return &web.Server{
		AdminDeps:    admin,
		Log:          m.Log,
		Registry:     a.Registry,
		BaseURL:      m.Config.BaseURL,
		MetricsToken: m.Config.MetricsToken,
		Admins:       a.Admins,
		Articles:     a.Articles,
		Subscribers:  a.Subscribers,
		Events:       a.Events,
		SettingsDeps: web.SettingsDeps{Settings: a.Settings},
		Checks: map[string]web.Check{
			"sqlite": a.DB.Ping,
			"redis":  a.Queue.Ping,
		},
	}
}

// startHTTP listens on BULLETIN_ADDR and serves srv in the background.
func (m *Main) startHTTP(srv *web.Server) error {
	a := m.app
	ln := a.listener
	// An empty install opens on /admin/setup; a browser on another host
	// needs this one-time code from the log.
	if has, err := a.Admins.HasAdmin(context.Background()); err != nil {
		return err
	} else if !has {
		srv.Setup = web.NewSetupCode()
	}
	a.http = &http.Server{
		Handler:           web.TrustProxies(m.Config.TrustedProxies, srv.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	go func() {
		if err := a.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", "err", err)
		}
	}()
	if m.Listening != nil {
		m.Listening <- ln.Addr().String()
	}
	base := m.publicURL(context.Background())
	m.Log.Info("bulletin serving", "addr", ln.Addr().String(), "base_url", base,
		"redis", redisKind(m.Config.RedisURL), "mail", mailKind(m.Config.SMTPURL), "trusted_proxies", proxiesKind(m.Config.TrustedProxies))
	if srv.Setup != nil {
		host, _ := os.Hostname()
		m.Log.Info(setupMessage(ln.Addr(), base, host, srv.Setup.Code()))
	}
	return nil
}

// setupMessage is the log line of an install with no admin yet: where this
// host opens /admin/setup, where others do, with the one-time code they
// need. addr is where serve listens, base the public URL and hostname
// this host's name ("" when unknown).
func setupMessage(addr net.Addr, base, hostname, code string) string {
	local := localURL(addr) + "/admin/setup"
	public := strings.TrimSuffix(base, "/") + "/admin/setup"
	withCode := " with the code " + code + " (it works once)"
	if listensOnLoopback(addr) {
		// No other machine can connect: only a reverse proxy on this
		// host brings their requests, which need the code.
		if !loopbackURL(base) {
			return "no admin yet: open " + local + " on this host — or " + public + " through your reverse proxy" + withCode
		}
		return "no admin yet: open " + local + " on this host — or through a reverse proxy here" + withCode +
			"; other machines cannot connect to " + hostOf(addr) + " (BULLETIN_ADDR=:" + portOf(addr) + " listens on all interfaces)"
	}
	elsewhere := public
	if loopbackURL(base) {
		// Another machine cannot open a loopback URL: it uses this
		// host's own name, or the address serve listens on.
		switch {
		case !unspecified(addr):
			elsewhere = local
		case hostname != "":
			elsewhere = "http://" + net.JoinHostPort(hostname, portOf(addr)) + "/admin/setup"
		default:
			elsewhere = "this host's name or address, on port " + portOf(addr) + ", at /admin/setup"
		}
	}
	return "no admin yet: open " + local + " on this host — or from elsewhere " + elsewhere + withCode
}

// listensOnLoopback reports whether addr is a loopback address, which
// only this host can connect to.
func listensOnLoopback(addr net.Addr) bool {
	ip := net.ParseIP(hostOf(addr))
	return ip != nil && ip.IsLoopback()
}

// unspecified reports whether addr is all of this host's interfaces
// (0.0.0.0, ::).
func unspecified(addr net.Addr) bool {
	ip := net.ParseIP(hostOf(addr))
	return ip == nil || ip.IsUnspecified()
}

// hostOf is the address part of addr, without its port.
func hostOf(addr net.Addr) string {
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// localURL is the http URL of addr as a browser on this host opens it: an
// unspecified address (0.0.0.0, ::) is reached as localhost.
func localURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// loopbackURL reports whether the URL u names this host only: localhost
// or a loopback address.
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && web.IsLoopbackHost(p.Host)
}

// portOf is the port addr listens on.
func portOf(addr net.Addr) string {
	_, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return port
}

// Addr returns the address the HTTP server listens on.
func (m *Main) Addr() string {
	if m.app == nil || m.app.listener == nil {
		return ""
	}
	return m.app.listener.Addr().String()
}

func redisKind(url string) string {
	if url == "" {
		return "embedded"
	}
	return "external"
}

func mailKind(url string) string {
	if url == "" {
		return "outbox"
	}
	return "smtp"
}

// proxiesKind names the proxies whose X-Forwarded-For serve believes, for
// its start-up line: an operator behind a proxy sees at once whether the
// gateway they set is the one taken.
func proxiesKind(proxies []netip.Prefix) string {
	names := []string{"loopback"}
	for _, p := range proxies {
		if p.IsSingleIP() {
			names = append(names, p.Addr().String())
		} else {
			names = append(names, p.String())
		}
	}
	return strings.Join(names, ",")
}
