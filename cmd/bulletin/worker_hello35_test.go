package main

import (
	"slices"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A worker opens no database, so it cannot read the From saved in the
// admin area: it said EHLO with BULLETIN_FROM's domain, or "localhost",
// while the mail it sent was From the saved address. It now takes the
// From of each batch it sends.
func TestWorkerHelloNamesTheBatchFrom(t *testing.T) {
	const n = 40
	url := testRedis(t, queuetest.DBWorkers)
	var hellos smtptest.Hellos
	smtp := smtptest.Start(t, smtptest.WithHellos(&hellos))
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_REDIS_URL="+url,
		"BULLETIN_SMTP_CONNS=2", "BULLETIN_FROM=Desk <desk@env.example>")
	saveSettings(t, c.data, pubsettings.Publication{FromAddress: "news@saved.example"})
	_, addr := c.start("serve", "serve", "--no-send")
	c.start("worker", "worker")
	id := c.startCampaign(addr)
	cj := c.waitSent(addr, id, time.Minute)
	if cj.Stats["sent"] != n {
		t.Fatalf("stats %v, want %d sent", cj.Stats, n)
	}
	names := hellos.Names()
	if len(names) == 0 {
		t.Fatal("no EHLO seen")
	}
	if i := slices.IndexFunc(names, func(s string) bool { return s != "saved.example" }); i >= 0 {
		t.Errorf("EHLO names %q: want every one saved.example, the domain of the From the mail carries", names)
	}
}
