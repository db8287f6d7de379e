package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
	"github.com/bulletinhq/bulletin/templates"
)

// app is what a command opened, closed in reverse order by Main.Close.
type app struct {
	DB          *sqlite.DB
	Queue       *queue.Queue
	Templates   *templates.Templates
	Transport   mailer.Transport
	Outbox      *mailer.Outbox
	Secret      []byte
	Registry    *prometheus.Registry
	Admins      *admins.Store
	Articles    *articles.Store
	Subscribers *subscribers.Store
	// Events records bounces and complaints and keeps the suppression
	// list: one store, so that every source moves the same counters.
	Events *events.Store
	// Settings hold the publication: name, brand, public URL, sender.
	Settings    *pubsettings.Store
	Reconcilers queue.Reconcilers
	// Gone tells send workers, through Redis, of subscribers who can no
	// longer get mail; the stores that change them are given it.
	Gone *queue.GoneSet
	// DKIM signs every message when keys are configured; nil otherwise.
	DKIM mailer.Signer
	// Gate holds back what serve sends while the mail server refuses
	// every message: campaign batches, confirmations and welcome mails
	// wait at the same gate, behind one probe.
	Gate *mailer.Gate

	// periodic are the scheduler's entries; wire* functions add theirs.
	periodic []periodic

	http      *http.Server
	listener  net.Listener
	asynq     *asynq.Server
	scheduler *asynq.Scheduler
	// stopSending run, in order, before the queue stops: serve's own
	// batches are handed back and every batch its queue runs stops
	// handing messages to the mail server, so none is still sending when
	// asynq gives up on its tasks (see Close).
	stopSending []func()
	closers     []func() error
	batcher     *events.Batcher // shared by every intake of bounces; see eventBatcher
}

var _ subscribers.GoneRecorder = (*queue.GoneSet)(nil)

// A periodic task is enqueued by the scheduler on a cron spec.
type periodic struct {
	spec string
	task *asynq.Task
	opts []asynq.Option
}

// adminCost is the bcrypt cost of the admins' passwords; 0 is bcrypt's
// default. Only the package's tests lower it (TestMain), as internal/web's
// do: under the race detector a hash at the default cost takes a second,
// and tens of tests create an admin or log one in. The binary the
// integration tests build keeps the default.
var adminCost int

// openDB opens the database and the stores on it.
func (m *Main) openDB(ctx context.Context) error {
	path := filepath.Join(m.Config.Data, "bulletin.db")
	if err := m.databaseThere(path); err != nil {
		return err
	}
	if err := checkDataDir(m.Config.Data); err != nil {
		return err
	}
	db, err := sqlite.OpenLog(ctx, path, m.Log)
	if err != nil {
		return err
	}
	// serve and the other commands bring the schema up to date as they
	// open the file: an upgrade's first command says so, which it did
	// not, so that an operator learns of the migrations (and of the
	// backup that would undo them) from any of them. A new database's
	// are no news.
	if applied := db.Applied; len(applied) > 0 && !db.Created && !m.migrating {
		m.Log.Info("database schema brought up to date for this version of bulletin", "migrations", strings.Join(applied, ", "))
	}
	m.app = &app{DB: db}
	m.app.closers = append(m.app.closers, db.Close)
	m.app.Admins = admins.NewStore(db)
	m.app.Admins.Cost = adminCost
	m.app.Admins.Log = m.Log
	m.app.Articles = articles.NewStore(db)
	m.app.Subscribers = subscribers.NewStore(db)
	m.openSettings()
	if openedDB != nil {
		openedDB(db)
	}
	return nil
}

// openedDB, when set, is given the database openDB opened. Only tests set
// it, to make its writes fail as a full disk does (a root test can mount
// no small file system).
var openedDB func(*sqlite.DB)

// newDatabase lists the commands that make a new database when there is
// none, as the start of an install: serve (README's first run), seed and
// migrate (its first steps from the command line), and secret rotate
// (which records the secret an install starts with). "" is a Main a test
// opens without a command. admin create and token create make one only
// in a data folder that exists (Main.newInFolder): in a mistyped
// BULLETIN_DATA they made the folder too. Every other command reads or
// changes the data already there, and refuses a missing database as
// backup does: export, admin list and token list said "exported 0
// subscribers", "No admins yet" and "No API tokens yet", and left a new,
// empty database in a mistyped BULLETIN_DATA.
var newDatabase = map[string]bool{"": true, "serve": true, "seed": true, "migrate": true, "secret": true}

// databaseThere returns nil when the database at path is there or the
// command may make it; otherwise backup's refusal of a missing database.
// An error other than "not there" (a folder this user may not enter, a
// data folder that is a file) is left to checkDataDir, which says what to
// fix.
func (m *Main) databaseThere(path string) error {
	if newDatabase[m.command] {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	switch {
	case m.newInFolder && isDir(m.Config.Data):
		return nil
	case m.newInFolder:
		return fmt.Errorf("no database at %s: check BULLETIN_DATA (to start a new install in %s, run bulletin migrate first)", path, m.Config.Data)
	}
	return fmt.Errorf("no database at %s: check BULLETIN_DATA", path)
}

// startFiles are what a command reads from files besides the database:
// the DKIM keys and the templates. checkFiles reads them before the data
// folder is first written, and openAll takes them from there.
type startFiles struct {
	keys      map[string][]dkim.Key
	notes     []dkimNote
	templates *templates.Templates
}

// checkFiles reads the start files once a command: serve before it takes
// the data folder's lock, openAll (import, digest run) before it opens the
// database, so that none of them leaves a new folder with a database and
// a secret for a key file that is missing or a template that does not
// parse.
func (m *Main) checkFiles() error {
	if m.files != nil {
		return nil
	}
	f, err := m.Config.readStartFiles()
	if err != nil {
		return err
	}
	m.files = f
	return nil
}

// readStartFiles reads the start files, writing nothing, and returns the
// error a command stops on.
func (c Config) readStartFiles() (*startFiles, error) {
	// DKIM_DIR is by default a folder in the data folder: one that is a
	// file, or that this user may not enter, is said as lockData says it,
	// not as a DKIM folder that cannot be read.
	if err := checkDataDirPath(c.Data); err != nil {
		return nil, err
	}
	var f startFiles
	var err error
	if f.keys, f.notes, err = c.dkimKeySet(); err != nil {
		return nil, c.dkimReadError(err)
	}
	if f.templates, err = templates.Load(c.Templates); err != nil {
		return nil, templatesError(c.Templates, err)
	}
	return &f, nil
}

// dkimReadError is err, from reading the DKIM keys, as the command says
// it: the default DKIM folder is in the data folder, and a user who may
// not enter that (serve run as alice, the folder bulletin's 0750) is told
// that the data folder cannot be written and what to do, as lockData
// would tell them, not that a "DKIM folder" they never named is denied.
func (c Config) dkimReadError(err error) error {
	if c.DKIMDir == "" && errors.Is(err, os.ErrPermission) {
		return dataDirError(c.Data, err)
	}
	return err
}

// templatesError is the refusal of BULLETIN_TEMPLATES dir, whose
// templates do not load for err.
func templatesError(dir string, err error) error {
	return usagef("BULLETIN_TEMPLATES %q: %v; fix that file, or leave BULLETIN_TEMPLATES empty for the built-in templates", dir, err)
}

// openAll opens what serve needs besides the database: the secret,
// templates, the mail transport, the queue and the metrics registry.
func (m *Main) openAll(ctx context.Context) error {
	if err := m.checkFiles(); err != nil {
		return err
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	a := m.app
	m.warnOpenDatabase()
	if err := m.warnBaseURL(ctx); err != nil {
		return err
	}
	var err error
	if a.Secret, err = m.openSecret(ctx); err != nil {
		return err
	}
	// The erasures' keyed hashes need the key in every command that
	// erases, imports or adds a reader, not only in those that send
	// confirmations: keyed otherwise, an erased address would not be
	// recognised and an import would bring its owner back.
	a.Subscribers.SetSecret(a.Secret)
	if a.DKIM, err = m.loadDKIM(); err != nil {
		return err
	}
	a.Templates = m.files.templates
	if err := m.openTransport(); err != nil {
		return err
	}
	if a.Queue, err = queue.Open(m.Config.RedisURL); err != nil {
		return err
	}
	a.closers = append(a.closers, a.Queue.Close)
	if err := pingRedis(ctx, a.Queue, !m.Config.NoSend); err != nil {
		return err
	}
	a.Gone = &queue.GoneSet{Redis: a.Queue.Redis(), Log: m.Log}
	a.Subscribers.SetGoneRecorder(a.Gone)
	a.Subscribers.SetEraseHook(m.outboxEraser(a.Outbox))
	a.Registry = prometheus.NewRegistry()
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Events = events.NewStore(a.DB)
	a.Events.SetGoneRecorder(a.Gone)
	a.Events.SetMetrics(events.NewMetrics(a.Registry))
	return nil
}

// ensureEnvAdmin makes BULLETIN_ADMIN_EMAIL an admin with
// BULLETIN_ADMIN_PASSWORD, when they are set. Only serve, which opens the
// admin area, calls it: a cron's `digest run` or an `import` with the
// same environment reset the password an admin had changed since, and
// ended their sessions, at each run.
//
// The variables win over a password changed in the admin area: a
// password that differs from them is reset at every start of serve,
// ending that admin's sessions, so that changing the variable is enough
// to shut out whoever had a leaked password.
func (m *Main) ensureEnvAdmin(ctx context.Context) error {
	if m.Config.AdminEmail == "" {
		return nil
	}
	_, reset, ended, err := m.app.Admins.EnsureAdmin(ctx, m.Config.AdminEmail, m.Config.AdminPassword)
	if bulletin.ErrorCode(err) == bulletin.EINVALID {
		return usagef("BULLETIN_ADMIN_EMAIL, BULLETIN_ADMIN_PASSWORD: %s", bulletin.ErrorMessage(err))
	} else if err != nil {
		return fmt.Errorf("BULLETIN_ADMIN_EMAIL: %w", err)
	}
	if reset {
		m.Log.Info("BULLETIN_ADMIN_PASSWORD differs from the admin's password: set it and ended the admin's sessions",
			"admin", m.Config.AdminEmail, "sessions", ended)
	}
	return nil
}

// openTransport picks the outbox, or SMTP when BULLETIN_SMTP_URL is set.
func (m *Main) openTransport() error {
	out, err := mailer.NewOutbox(filepath.Join(m.Config.Data, "outbox"))
	if err != nil {
		return err
	}
	m.app.Outbox = out
	m.app.Transport = out
	m.app.Gate = mailer.NewGate(m.Log)
	if m.Config.SMTPURL != "" {
		t, err := smtpTransport(m.Config, m.fromAddress())
		if err != nil {
			return err
		}
		m.app.Transport = t
	}
	return nil
}

// fromAddress returns the From address in force: the one saved in the
// settings, else BULLETIN_FROM's; "" when neither is set or the settings
// cannot be read. It holds the store, not m.app, which Close clears while
// the last batches may still connect.
// A failure is logged once until a read works again: each new connection
// asks, and one made while the store closes would log a line each.
func (m *Main) fromAddress() func() string {
	settings, log := m.app.Settings, m.Log
	var failing atomic.Bool
	return func() string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := settings.Publication(ctx)
		if err != nil {
			if !failing.Swap(true) {
				log.Warn("read the From of the settings for EHLO; BULLETIN_FROM's domain is said instead", "err", err)
			}
			return ""
		}
		failing.Store(false)
		return p.FromAddress
	}
}

// Close stops what is running and closes what was opened.
func (m *Main) Close() error {
	a := m.app
	if a == nil {
		return nil
	}
	m.app = nil
	var first error
	if a.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := a.http.Shutdown(ctx); err != nil {
			a.http.Close()
		}
		cancel()
	}
	if a.scheduler != nil {
		a.scheduler.Shutdown()
	}
	// Before the queue stops: asynq waits 5 s for the tasks under way and
	// then abandons them while they send. The batches of tasks rebuilt
	// after a kill -9 (run by the queue, not serve's own fan-out) went on
	// sending until then, and those on the wire at the abandon went again
	// after the restart.
	for _, stop := range a.stopSending {
		stop()
	}
	if a.asynq != nil {
		// The other tasks that send (confirmations, welcome mails) get
		// the answers of the messages on the wire and no more: they record
		// what went and hand the rest back within asynq's 5 s. A
		// confirmation task sending to a slow relay was abandoned while it
		// sent, and its mails sent since went again after the restart.
		if t, ok := a.Transport.(interface{ Drain() }); ok {
			t.Drain()
		}
		a.Gate.Drain() // and those held back hand themselves back too
		a.asynq.Shutdown()
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	if a.http != nil && first == nil {
		// serve's last line, once everything it opened is closed: a
		// stop that ends without it did not finish.
		m.Log.Info("bulletin stopped")
	}
	return first
}
