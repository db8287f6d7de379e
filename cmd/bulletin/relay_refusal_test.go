package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A relay that refuses every message at the end of its data, with no
// status or one that blames no address (Amazon SES's "554 Throttling
// failure: Daily message quota exceeded." once the day's quota is used
// up), is refusing the sender, not the readers: none is counted as
// bounced, the campaign says what it waits on, and once the relay takes
// mail again every reader gets the campaign, once. Counted as bounces,
// three such campaigns marked every reader of the list bounced.
func TestRelayRefusingEveryMessageBouncesNoReader(t *testing.T) {
	const n = 20
	refusal := &smtp.SMTPError{Code: 554, EnhancedCode: smtp.NoEnhancedCode, Message: "Throttling failure: Daily message quota exceeded."}
	sink := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectData: refusal}))
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL="+sink.URL())
	_, addr := c.start("serve", "serve")
	id := c.startCampaign(addr)

	var cj struct {
		Status string `json:"status"`
		Stats  struct {
			Sent, Bounced, Failed int
			Waiting               *struct{ Reply string }
		} `json:"stats"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if code := c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj); code != http.StatusOK {
			t.Fatalf("GET the campaign: %d", code)
		}
		if cj.Stats.Waiting != nil && strings.Contains(cj.Stats.Waiting.Reply, "Daily message quota exceeded") || cj.Stats.Bounced > 0 || cj.Status == "sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s of refusals the campaign is %s, stats %+v, and says it waits on nothing", cj.Status, cj.Stats)
		}
	}
	if cj.Stats.Bounced != 0 || cj.Status != "sending" {
		t.Errorf("with every message refused by the relay the campaign is %s with %d bounced, want sending with none", cj.Status, cj.Stats.Bounced)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var bounced, events int
	db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE status = 'bounced'`).Scan(&bounced)
	db.Read.QueryRow(`SELECT COUNT(*) FROM events WHERE kind IN ('bounce_hard', 'bounce_soft')`).Scan(&events)
	if bounced != 0 || events != 0 {
		t.Errorf("the relay's refusals left %d readers bounced and %d bounce events, want none", bounced, events)
	}

	sink.SetFaults(smtptest.Faults{}) // the quota is back
	done := c.waitSent(addr, id, 2*time.Minute)
	checkCounts(t, sink, n, 0, 0)
	if done.Stats["sent"] != n || done.Stats["bounced"] != 0 {
		t.Errorf("after the relay took mail again: stats %v, want %d sent, none bounced", done.Stats, n)
	}
}
