package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// dbStalledPage is this test's database of the real Redis, free of the
// others' (see internal/campaigns' dbStall).
const dbStalledPage = 15

// A sending campaign that has sent nothing for minutes showed a frozen
// bar and nothing else: its editor could not tell a stall from a slow
// send, nor whether Bulletin would go on. Its page, and the progress the
// page polls, now say how long, why when Bulletin knows (Redis lost the
// queue; a run that stopped holds its next messages), and by when it
// resumes. The queue is a real Redis, emptied as a restart without
// persistence empties it.
func TestCampaignPageSaysAStalledCampaignResumes(t *testing.T) {
	ctx := context.Background()
	q, err := queue.Open(queuetest.RedisURL(t, dbStalledPage))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		s.Campaigns = testCampaigns(s, d, q, nil, []byte("0123456789abcdef0123456789abcdef"))
	})
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News"}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"ada@example.com", "bo@example.com", "cy@example.com"} {
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: email, Status: "confirmed", Lists: []string{"news"}}); err != nil {
			t.Fatal(err)
		}
	}
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	page, _ := createCampaign(t, a, token, `{"subject":"Harbour news","body":"Hello","lists":["news"]}`)
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/admin/campaigns/"), 10, 64)
	svc := s.Campaigns
	if _, err := svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	fanout, _ := queue.NewFanoutTask(id, 0)
	if err := svc.HandleFanout(ctx, fanout); err != nil { // no sender runs: its batch waits in Redis
		t.Fatal(err)
	}
	svc.WatchOnce(ctx) // serve's watcher marks Redis

	if note := stalledNote(t, a, page); note != "" {
		t.Errorf("a campaign that just started says %q, want nothing", note)
	}
	// Three minutes without a message, then Redis restarts empty.
	ago := time.Now().UTC().Add(-3 * time.Minute)
	if _, err := db.Write.Exec(`UPDATE campaigns SET started_at = ?, updated_at = ? WHERE id = ?`, ago, ago, id); err != nil {
		t.Fatal(err)
	}
	if err := q.Redis().FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	svc.WatchOnce(ctx)
	note := stalledNote(t, a, page)
	want := regexp.MustCompile(`^No messages have gone for 3 minutes: the queue lost them \(Redis restarted without its data\)\. Bulletin resumes this campaign by (\d\d:\d\d) UTC\.$`)
	if m := want.FindStringSubmatch(note); m == nil {
		t.Errorf("after Redis lost its data the page says\n%q\nwant it to match\n%s", note, want)
	} else if !clockWithin(m[1], before, before.Add(2*time.Minute)) {
		t.Errorf("it resumes by %s, want within two minutes of %s", m[1], before.Format("15:04"))
	}
	if got := progressStalled(t, a, page); got != note {
		t.Errorf("the progress the page polls says %q, the page %q", got, note)
	}

	// A run that stopped (a digest run killed) holds the next messages
	// four more minutes: nothing takes them before.
	held := time.Now().UTC().Add(4 * time.Minute)
	if _, err := db.Write.Exec(`UPDATE deliveries SET claimed_until = ? WHERE campaign_id = ?`, held, id); err != nil {
		t.Fatal(err)
	}
	note = stalledNote(t, a, page)
	want = regexp.MustCompile(`^No messages have gone for 3 minutes: the run that was sending its next messages stopped \(a digest run killed, or a process that ended\), and they stay set aside for it until (\d\d:\d\d) UTC\. Bulletin resumes this campaign by (\d\d:\d\d) UTC\.$`)
	if m := want.FindStringSubmatch(note); m == nil {
		t.Errorf("with its next messages held the page says\n%q\nwant it to match\n%s", note, want)
	} else if !clockWithin(m[1], held, held.Add(time.Minute)) || !clockWithin(m[2], held, held.Add(2*time.Minute)) {
		t.Errorf("held until %s, resumed by %s; want both after %s", m[1], m[2], held.Format("15:04:05"))
	}
}

var stalledPara = regexp.MustCompile(`<p id="stalled" class="error" role="status"( hidden)?>([^<]*)</p>`)

// stalledNote is what page says of a stall: "" when it says nothing.
func stalledNote(t *testing.T, a *adminClient, page string) string {
	t.Helper()
	resp, body := a.get(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", page, resp.StatusCode)
	}
	m := stalledPara.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no stall note, even hidden", page)
	}
	if (m[1] == "") != (m[2] != "") {
		t.Errorf("the stall note %q is hidden %v", m[2], m[1] != "")
	}
	return html.UnescapeString(m[2])
}

// progressStalled is the stall note of the progress page polls.
func progressStalled(t *testing.T, a *adminClient, page string) string {
	t.Helper()
	_, body := a.get(page + "/progress")
	var p struct {
		Stalled *string `json:"stalled"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Stalled == nil {
		t.Fatalf("progress %s: %v, want a stalled field", body, err)
	}
	return *p.Stalled
}

// clockWithin reports whether hh:mm, a UTC time of day rounded up to the
// minute, falls from from to to (the same day, or the next).
func clockWithin(hhmm string, from, to time.Time) bool {
	for _, d := range []time.Time{from, to} {
		t, err := time.Parse("2006-01-02 15:04", d.Format("2006-01-02 ")+hhmm)
		if err == nil && !t.Before(from.Truncate(time.Minute)) && !t.After(to) {
			return true
		}
	}
	return false
}
