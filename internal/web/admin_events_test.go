package web

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
)

// /admin/events lists the events with their diagnostics, filtered by
// kind, and below them the mail that was neither.
func TestAdminEventsPage(t *testing.T) {
	e := newFeedbackEnv(t)
	e.seedEvents()
	if err := e.s.Events.Keep(context.Background(), events.Unparsed{Reason: "auto-reply", MailFrom: "robin@tidewater.test", Subject: "Out of office until Monday", Head: "I am away"}); err != nil {
		t.Fatal(err)
	}
	e.a.loginAs("editor@example.com", "correct horse battery")
	resp, page := e.a.get("/admin/events")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /admin/events = %d", resp.StatusCode)
	}
	for _, want := range []string{"550 5.1.1 user unknown", "5.1.1", "hard bounce", "complaint", "soft bounce", "mailbox full",
		"Out of office until Monday", "auto-reply", "I am away", `class="stack"`, `data-label="Diagnostic"`,
		`<a href="/admin/subscribers/1">robin@tidewater.test</a>`, `<a href="/admin/campaigns/1">#1</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("/admin/events lacks %q", want)
		}
	}
	if strings.Contains(layoutScriptFree(page), "<script>") || strings.Contains(page, " onclick=") {
		t.Error("/admin/events has an inline script")
	}
	_, page = e.a.get("/admin/events?kind=complaint")
	if strings.Contains(page, "550 5.1.1 user unknown") || strings.Contains(page, "mailbox full") || !strings.Contains(page, "kai@tidewater.test") {
		t.Errorf("?kind=complaint shows bounces or no complaint:\n%s", page)
	}
	_, page = e.a.get("/admin/events?kind=bounce")
	if !strings.Contains(page, "550 5.1.1 user unknown") || !strings.Contains(page, "mailbox full") || strings.Contains(page, ">complaint<") {
		t.Errorf("?kind=bounce:\n%s", page)
	}
}

// seedSent stores n deliveries sent at, of one campaign, with bounces and
// complaints recorded at.
func (e *feedbackEnv) seedSent(n, bounces, complaints int, at time.Time) int64 {
	e.t.Helper()
	now := sqlite.Now()
	cid := e.exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Week', 'sent', ?, ?)`, now, now)
	tx, err := e.db.Write.Begin()
	if err != nil {
		e.t.Fatal(err)
	}
	defer tx.Rollback()
	for i := range n {
		res, err := tx.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`,
			"r"+itoa(cid)+"-"+itoa(int64(i))+"@example.com", "r"+itoa(cid)+"-"+itoa(int64(i))+"@example.com", now, now)
		if err != nil {
			e.t.Fatal(err)
		}
		sid, _ := res.LastInsertId()
		status := "sent"
		if i < bounces {
			status = "bounced"
		}
		if _, err := tx.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, ?, ?, ?)`, cid, sid, status, at, now); err != nil {
			e.t.Fatal(err)
		}
		kind := ""
		switch {
		case i < bounces:
			kind = "bounce_hard"
		case i < bounces+complaints:
			kind = "complaint"
		default:
			continue
		}
		if _, err := tx.Exec(`INSERT INTO events (kind, source, campaign_id, subscriber_id, dedupe_key, at, recorded_at) VALUES (?, 'dsn', ?, ?, ?, ?, ?)`,
			kind, cid, sid, events.DeliveryKey(events.Kind(kind), cid, sid), at, now); err != nil {
			e.t.Fatal(err)
		}
	}
	// As campaigns.Store.Record counts what it marks sent.
	if _, err := tx.Exec(`INSERT INTO sent_hours (hour, sent) VALUES (?, ?)
		ON CONFLICT (hour) DO UPDATE SET sent = sent + excluded.sent`, at.Unix()/3600, n); err != nil {
		e.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		e.t.Fatal(err)
	}
	return cid
}

// The dashboard warns when the last 7 days pass 2 % bounces or 0.08 %
// complaints of the mail sent, and only then.
func TestDashboardHealthWarning(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name                 string
		sent, bounces, compl int
		at                   time.Time
		warn                 bool
		figures              string
	}{
		{"nothing sent", 0, 0, 0, now, false, ""},
		{"2 % bounces is fine", 2500, 50, 0, now.Add(-time.Hour), false, ""},
		{"past 2 % bounces", 2500, 51, 0, now.Add(-time.Hour), true, "<strong>2.04 %</strong>"},
		{"0.08 % complaints is fine", 2500, 0, 2, now.Add(-time.Hour), false, ""},
		{"past 0.08 % complaints", 2500, 0, 3, now.Add(-time.Hour), true, "<strong>0.12 %</strong>"},
		{"older than 7 days", 100, 50, 10, now.Add(-8 * 24 * time.Hour), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFeedbackEnv(t)
			if tt.sent > 0 {
				e.seedSent(tt.sent, tt.bounces, tt.compl, tt.at)
			}
			e.a.loginAs("editor@example.com", "correct horse battery")
			resp, page := e.a.get("/admin")
			if resp.StatusCode != 200 {
				t.Fatalf("GET /admin = %d", resp.StatusCode)
			}
			warned := strings.Contains(page, `role="alert"`) && strings.Contains(page, `href="/admin/events"`) && strings.Contains(page, "Too many")
			if warned != tt.warn {
				t.Fatalf("warning shown = %v, want %v:\n%s", warned, tt.warn, page)
			}
			if tt.warn && (!strings.Contains(page, tt.figures) || !strings.Contains(page, "of "+prose.Number(tt.sent)+" messages sent")) {
				t.Errorf("warning lacks %s and the count sent:\n%s", tt.figures, page)
			}
		})
	}
}

// The campaign page shows the bounce and complaint rates next to sent,
// and the API's stats count complaints.
func TestCampaignShowsFeedbackRates(t *testing.T) {
	e := newCampaignFeedbackEnv(t)
	a := e.a
	cid := e.seedSent(8, 2, 1, time.Now().UTC())
	a.loginAs("editor@example.com", "correct horse battery")
	resp, page := a.get("/admin/campaigns/" + itoa(cid))
	if resp.StatusCode != 200 {
		t.Fatalf("campaign page = %d", resp.StatusCode)
	}
	// The rates say what they count of: the 8 messages that left, 6 sent
	// and 2 bounced, not the 6 the sent count beside them shows.
	for _, want := range []string{"Bounces: <strong>2</strong> of 8 sent or bounced (25.0 %)", "Complaints: <strong>1</strong> of 8 sent or bounced (12.5 %)",
		`· <a href="/admin/events">each one under Events</a></p>`} {
		if !strings.Contains(page, want) {
			t.Errorf("campaign page lacks %s:\n%s", want, page)
		}
	}
	status, body := e.api("GET", "/api/v1/campaigns/"+itoa(cid), "")
	var c struct {
		Stats map[string]int `json:"stats"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &c) != nil {
		t.Fatalf("GET campaign = %d %s", status, body)
	}
	if c.Stats["complaints"] != 1 || c.Stats["bounced"] != 2 || c.Stats["sent"] != 6 {
		t.Errorf("stats = %v, want 6 sent, 2 bounced, 1 complaint", c.Stats)
	}
}

// newCampaignFeedbackEnv is a feedbackEnv whose server has campaigns,
// mailing to an outbox, and an API token.
func newCampaignFeedbackEnv(t *testing.T) *feedbackEnv {
	t.Helper()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	e := &feedbackEnv{t: t}
	e.s, e.a = newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Campaigns = testCampaigns(s, db, q, out, []byte("0123456789abcdef0123456789abcdef"))
		e.db = db
	})
	if e.token, err = e.s.Admins.CreateToken(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

// A campaign's rates are counted of the messages that left: "13 sent"
// while none bounced, "16 sent or bounced" once some did, and none while
// nothing left, which its page says instead of "–".
func TestRatesOfNameTheirBase(t *testing.T) {
	for _, tt := range []struct {
		st   campaigns.Stats
		want feedbackRates
	}{
		{campaigns.Stats{Sent: 13}, feedbackRates{Bounce: "0.00 %", Complaint: "0.00 %", Base: "13 sent"}},
		{campaigns.Stats{Sent: 1200, Bounced: 400, Complaints: 3}, feedbackRates{Bounce: "25.0 %", Complaint: "0.19 %", Bounces: 400, Complaints: 3, Base: "1,600 sent or bounced"}},
		{campaigns.Stats{Failed: 3}, feedbackRates{Bounce: "–", Complaint: "–"}},
	} {
		if got := ratesOf(tt.st); got != tt.want {
			t.Errorf("ratesOf(%+v) = %+v, want %+v", tt.st, got, tt.want)
		}
	}
}
