package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
)

// bounceConfig reads BULLETIN_BOUNCE_ADDR and BULLETIN_BOUNCE_MAILBOX
// (SPEC §6) into c: a listen address and a mailbox URL, each of which
// needs the bounce domain whose VERP addresses it takes. It returns a
// refusal for each of them that is wrong, the mailbox's first, as
// dkimConfig does.
func bounceConfig(c *Config, vals map[string]*string) []error {
	var errs []error
	if err := bounceMailboxConfig(c, vals); err != nil {
		errs = append(errs, err)
	}
	if err := bounceAddrConfig(c, vals); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// bounceAddrConfig reads BULLETIN_BOUNCE_ADDR into c.
func bounceAddrConfig(c *Config, vals map[string]*string) error {
	c.BounceAddr = strings.TrimSpace(*vals["BULLETIN_BOUNCE_ADDR"])
	if c.BounceAddr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(c.BounceAddr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 || strings.ContainsAny(host, " /") {
		return fmt.Errorf("BULLETIN_BOUNCE_ADDR %q: use host:port, like :2525 (every interface) or 127.0.0.1:2525", c.BounceAddr)
	}
	if c.BounceDomain == "" {
		return fmt.Errorf("BULLETIN_BOUNCE_ADDR needs BULLETIN_BOUNCE_DOMAIN: the server takes mail only for the VERP addresses of that domain")
	}
	return nil
}

// bounceMailboxConfig reads BULLETIN_BOUNCE_MAILBOX into c. Its errors
// name the setting and never repeat the URL, which holds a password.
func bounceMailboxConfig(c *Config, vals map[string]*string) error {
	raw := strings.TrimSpace(*vals["BULLETIN_BOUNCE_MAILBOX"])
	if raw == "" {
		return nil
	}
	u, err := bounces.ParseMailboxURL(raw)
	if err != nil {
		return fmt.Errorf("BULLETIN_BOUNCE_MAILBOX: %v", err)
	}
	if c.BounceDomain == "" {
		return fmt.Errorf("BULLETIN_BOUNCE_MAILBOX needs BULLETIN_BOUNCE_DOMAIN: only bounces to the VERP addresses of that domain name their readers")
	}
	c.BounceMailbox = &u
	return nil
}

// bounceMailboxInterval is the time between polls of the bounce mailbox.
var bounceMailboxInterval = bounces.DefaultPollInterval

// wireBounces starts the SMTP intake on BULLETIN_BOUNCE_ADDR and the
// poller of BULLETIN_BOUNCE_MAILBOX, when set: bounces and complaints
// mailed back to VERP addresses become events, recorded in batches. They
// close with serve, the intake and poller before the batcher.
func (m *Main) wireBounces() error {
	c, a := m.Config, m.app
	if c.BounceAddr == "" && c.BounceMailbox == nil {
		return nil
	}
	store, batcher := a.Events, m.eventBatcher()
	if c.BounceMailbox != nil {
		mbox := &bounces.Mailbox{URL: *c.BounceMailbox, VERP: m.verp(a.Secret), Events: batcher, Unparsed: store,
			Interval: bounceMailboxInterval, Log: m.Log}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			mbox.Run(ctx)
		}()
		a.closers = append(a.closers, func() error {
			cancel()
			<-done
			return nil
		})
		m.Log.Info("bounce mailbox: polling", "mailbox", c.BounceMailbox.String(), "every", bounceMailboxInterval.String())
	}
	if c.BounceAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", c.BounceAddr)
	if err != nil {
		return fmt.Errorf("listen on BULLETIN_BOUNCE_ADDR %s: %w", c.BounceAddr, err)
	}
	intake := &bounces.Intake{VERP: m.verp(a.Secret), Events: batcher, Unparsed: store, Log: m.Log}
	a.closers = append(a.closers, intake.Close)
	go func() {
		if err := intake.Serve(ln); err != nil {
			m.Log.Error("bounce intake stopped", "err", err)
		}
	}()
	m.Log.Info("bounce intake listening", "addr", ln.Addr().String(), "domain", c.BounceDomain)
	return nil
}

// eventBatcher returns serve's one events Batcher, made on first use: the
// SMTP intake, the bounce mailbox and the provider webhooks share its
// transactions, so together they commit as few as one alone. It closes
// after whatever was wired before it asked, since closers run in reverse.
func (m *Main) eventBatcher() *events.Batcher {
	a := m.app
	if a.batcher == nil {
		a.batcher = events.NewBatcher(a.Events)
		a.closers = append(a.closers, a.batcher.Close)
	}
	return a.batcher
}
