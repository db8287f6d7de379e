package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
)

// bounceConfig reads BULLETIN_BOUNCE_ADDR (SPEC §6) into c: a listen
// address, which needs the bounce domain whose VERP addresses it takes.
func bounceConfig(c *Config, vals map[string]*string) error {
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

// wireBounces starts the SMTP intake on BULLETIN_BOUNCE_ADDR, when set:
// bounces and complaints mailed back to VERP addresses become events,
// recorded in batches. Both close with serve, the intake first.
func (m *Main) wireBounces() error {
	c, a := m.Config, m.app
	if c.BounceAddr == "" {
		return nil
	}
	store := events.NewStore(a.DB)
	if a.Gone != nil {
		store.SetGoneRecorder(a.Gone)
	}
	batcher := events.NewBatcher(store)
	a.closers = append(a.closers, batcher.Close)
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
