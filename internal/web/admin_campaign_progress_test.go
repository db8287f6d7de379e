package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// progressEnv is a campaign to 1,200 confirmed readers of "news", sent,
// whose fan-out the test runs itself, 500 readers at a time (pages of 50,
// held back after ten while any delivery waits), and whose deliveries it
// marks sent as a worker would.
type progressEnv struct {
	t          *testing.T
	s          *Server
	a          *adminClient
	db         *sqlite.DB
	page, api  string
	token      string
	campaignID int64
}

func newProgressEnv(t *testing.T) *progressEnv {
	t.Helper()
	s, a, _, db, token := newCampaignServer(t)
	s.Campaigns.PageSize, s.Campaigns.MaxQueued = 50, 1
	now := time.Now().UTC().Add(-time.Hour)
	// ada@example.com is the first of them.
	if _, err := db.Write.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1199)
		INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'confirmed', ?, ? FROM k`, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT s.id, l.id, 'active', ?, ? FROM subscribers s, lists l WHERE l.slug = 'news' AND s.email LIKE 'r%'`, now, now); err != nil {
		t.Fatal(err)
	}
	e := &progressEnv{t: t, s: s, a: a, db: db, token: token}
	e.page, e.api = createCampaign(t, a, token, `{"subject":"Big news","body":"Hello","lists":["news"]}`)
	id, err := strconv.ParseInt(strings.TrimPrefix(e.api, "/api/v1/campaigns/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	e.campaignID = id
	a.login("correct horse battery")
	return e
}

// step posts a lifecycle step through the API.
func (e *progressEnv) step(name string) {
	e.t.Helper()
	if code, got := apiCall(e.t, e.a.base, e.token, "POST", e.api+"/"+name, ""); code != 200 {
		e.t.Fatalf("POST %s/%s = %d %v", e.api, name, code, got)
	}
}

// fanout runs the campaign's fan-out task once: 500 more readers.
func (e *progressEnv) fanout() {
	e.t.Helper()
	task, _ := queue.NewFanoutTask(e.campaignID, 0)
	if err := e.s.Campaigns.HandleFanout(context.Background(), task); err != nil {
		e.t.Fatal(err)
	}
}

// markSent marks the campaign's first n queued deliveries sent.
func (e *progressEnv) markSent(n int) {
	e.t.Helper()
	if _, err := e.db.Write.Exec(`UPDATE deliveries SET status = 'sent', sent_at = ?, claimed_until = NULL WHERE id IN (
		SELECT id FROM deliveries WHERE campaign_id = ? AND status = 'queued' ORDER BY id LIMIT ?)`, time.Now().UTC(), e.campaignID, n); err != nil {
		e.t.Fatal(err)
	}
}

// campaignProgressJSON is what the page's poll reads of the progress.
type campaignProgressJSON struct {
	Status      string `json:"status"`
	Percent     int    `json:"percent"`
	Audience    int    `json:"audience"`
	NotSent     int    `json:"not_sent"`
	NeverQueued int    `json:"never_queued"`
	Stats       struct {
		Total, Sent, Skipped int
	} `json:"stats"`
}

func (e *progressEnv) progress() campaignProgressJSON {
	e.t.Helper()
	resp, body := e.a.get(e.page + "/progress")
	var p campaignProgressJSON
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &p) != nil {
		e.t.Fatalf("GET %s/progress = %d %s", e.page, resp.StatusCode, body)
	}
	return p
}

// progressCard is the campaign page's card of status and progress, what a
// failure shows of the page.
func progressCard(page string) string {
	i := strings.Index(page, `id="progress"`)
	if i < 0 {
		return page
	}
	page = page[i:]
	if j := strings.Index(page, "</form>"); j >= 0 {
		page = page[:j]
	}
	return page
}

// The bar and "N of M sent" measure the send against the readers it is
// for while the fan-out makes their deliveries 500 at a time, paused and
// resumed too, so the bar only moves on; once the fan-out is done,
// against its deliveries.
func TestCampaignProgressMeasuresTheAudienceDuringTheFanout(t *testing.T) {
	e := newProgressEnv(t)
	e.step("send")
	e.fanout()
	e.markSent(200)
	type seen struct {
		Status                         string
		Percent, Audience, Total, Sent int
	}
	var got []seen
	look := func() {
		p := e.progress()
		got = append(got, seen{p.Status, p.Percent, p.Audience, p.Stats.Total, p.Stats.Sent})
	}
	look()
	if _, body := e.a.get(e.page); !strings.Contains(body, `<strong id="sent">200</strong> of <strong id="total">1,200</strong> sent`) {
		t.Errorf("the page, 200 sent of 500 fanned out to 1,200 readers, does not say 200 of 1,200 sent:\n%s", progressCard(body))
	}
	e.step("pause")
	look()
	e.step("resume")
	look()
	e.fanout()
	e.markSent(400)
	look()
	e.fanout()
	e.markSent(600)
	look()
	want := []seen{
		{"sending", 16, 1200, 500, 200},
		{"paused", 16, 1200, 500, 200},
		{"sending", 16, 1200, 500, 200},
		{"sending", 50, 1200, 1000, 600},
		{"sending", 100, 1200, 1200, 1200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("progress polled through the fan-out (-want +got):\n%s", diff)
	}
	if _, body := e.a.get(e.page); !strings.Contains(body, `<strong id="sent">1,200</strong> of <strong id="total">1,200</strong> sent`) {
		t.Errorf("the page, every reader sent, does not say 1,200 of 1,200 sent:\n%s", progressCard(body))
	}
}

// A campaign cancelled half-way shows what it sent of the readers it was
// for, and how many it never went to: those its cancel skipped and those
// its fan-out never reached. Its bar is not a full one.
func TestCancelledCampaignShowsTheReadersNeverSent(t *testing.T) {
	e := newProgressEnv(t)
	e.step("send")
	e.fanout()
	e.markSent(300)
	e.step("cancel")
	// A reader who joins later is none the campaign missed.
	later := time.Now().UTC().Add(time.Hour)
	if _, err := e.db.Write.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('late@example.com', 'late@example.com', 'confirmed', ?, ?)`, later, later); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT s.id, l.id, 'active', ?, ? FROM subscribers s, lists l WHERE l.slug = 'news' AND s.email = 'late@example.com'`, later, later); err != nil {
		t.Fatal(err)
	}
	p := e.progress()
	want := campaignProgressJSON{Status: "cancelled", Percent: 25, Audience: 1200, NotSent: 900, NeverQueued: 700}
	want.Stats.Total, want.Stats.Sent, want.Stats.Skipped = 500, 300, 200
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("progress of a campaign cancelled after 300 of 1,200 were sent (-want +got):\n%s", diff)
	}
	_, body := e.a.get(e.page)
	for _, line := range []string{
		`<strong id="sent">300</strong> of <strong id="total">1,200</strong> sent`,
		`<p id="not-sent">Cancelled: <strong>900 readers</strong> not sent (200 skipped, 700 never queued).</p>`,
		`id="bar" style="background:var(--accent);height:14px;width:25%"`,
		`<span style="white-space:nowrap">Complaints: <strong>0</strong> of 300 sent (0.00 %)</span>`,
	} {
		if !strings.Contains(body, line) {
			t.Errorf("the cancelled campaign's page lacks %s:\n%s", line, progressCard(body))
		}
	}
}
