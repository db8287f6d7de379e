package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// pendingAPI calls the API of fullServer with its token.
type pendingAPI struct {
	t     *testing.T
	s     *Server
	db    *sqlite.DB
	base  string
	token string
}

func newPendingAPI(t *testing.T) *pendingAPI {
	t.Helper()
	s, a, token, db := fullServerDB(t)
	return &pendingAPI{t: t, s: s, db: db, base: a.base, token: token}
}

// call answers method path with body, failing t unless the status is want.
func (p *pendingAPI) call(method, path, body string, want int) []byte {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		p.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, got)
	}
	return got
}

// pendingEntry is one item of frequency_pending.
type pendingEntry struct {
	List  string    `json:"list"`
	Still string    `json:"still"`
	Until time.Time `json:"until"`
}

// pendingOf returns the frequency_pending of a subscriber's JSON, and
// whether the key is there at all.
func pendingOf(t *testing.T, body []byte) ([]pendingEntry, bool) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("not a subscriber: %s", body)
	}
	field, ok := raw["frequency_pending"]
	if !ok {
		return nil, false
	}
	var out []pendingEntry
	if err := json.Unmarshal(field, &out); err != nil {
		t.Fatalf("frequency_pending is not a list of {list, still, until}: %s", field)
	}
	return out, true
}

// newsSchedule is list news's digest hour, weekday and zone, as the API
// tells them.
func (p *pendingAPI) newsSchedule() (hour int, weekday, zone string) {
	p.t.Helper()
	var l struct {
		Digest        string `json:"digest"`
		DigestHour    int    `json:"digest_hour"`
		DigestWeekday string `json:"digest_weekday"`
		Timezone      string `json:"timezone"`
	}
	if err := json.Unmarshal(p.call("GET", "/api/v1/lists/news", "", 200), &l); err != nil || l.Digest != "daily" {
		p.t.Fatalf("news: %+v %v; want a daily list", l, err)
	}
	return l.DigestHour, l.DigestWeekday, l.Timezone
}

// wantPending fails t unless body says the reader still gets still digests
// of news until its next digest of cadence, due after before and at or
// before after: at the list's hour and, for a weekly one, on its weekday.
func (p *pendingAPI) wantPending(what string, body []byte, still, cadence string, before, after time.Time) {
	p.t.Helper()
	got, ok := pendingOf(p.t, body)
	if !ok || len(got) != 1 {
		p.t.Fatalf("%s: frequency_pending = %+v (present %v), want one entry for news: %s", what, got, ok, body)
	}
	e := got[0]
	if e.List != "news" || e.Still != still {
		p.t.Errorf("%s: frequency_pending = %+v, want list news, still %s", what, e, still)
	}
	hour, weekday, zone := p.newsSchedule()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		p.t.Fatal(err)
	}
	local := e.Until.In(loc)
	if local.Hour() != hour || local.Minute() != 0 || local.Second() != 0 {
		p.t.Errorf("%s: until %s, want at %02d:00 %s", what, e.Until, hour, zone)
	}
	if cadence == campaigns.CadenceWeekly && !strings.EqualFold(local.Weekday().String(), weekday) {
		p.t.Errorf("%s: until %s is a %s, want the round-up's %s", what, e.Until, local.Weekday(), weekday)
	}
	span := 24 * time.Hour
	if cadence == campaigns.CadenceWeekly {
		span = 7 * 24 * time.Hour
	}
	if !e.Until.After(before) || e.Until.After(after.Add(span)) {
		p.t.Errorf("%s: until %s, want the next %s digest after %s", what, e.Until, cadence, before)
	}
	first := campaigns.NextDigest(before, cadence, hour, weekday, zone)
	last := campaigns.NextDigest(after, cadence, hour, weekday, zone)
	if !e.Until.Equal(first) && !e.Until.Equal(last) {
		p.t.Errorf("%s: until %s, want the list's next %s digest, %s", what, e.Until, cadence, first)
	}
	if _, off := e.Until.Zone(); off != 0 {
		p.t.Errorf("%s: until %s, want it in UTC", what, e.Until)
	}
}

// A daily reader of a daily list who turns weekly through the API is told
// they still get the daily digests until the list's next weekly round-up,
// by the PATCH and by each read until that round-up is built, a daily
// digest built between included; from the round-up on, nothing is pending.
// The list of subscribers never carries the field.
func TestFrequencyPendingDailyToWeekly(t *testing.T) {
	p := newPendingAPI(t)
	before := time.Now()
	patched := p.call("PATCH", "/api/v1/subscribers/1", `{"frequency":"weekly"}`, 200)
	p.wantPending("PATCH", patched, "daily", campaigns.CadenceWeekly, before, time.Now())
	if !strings.Contains(string(patched), `"frequency":"weekly"`) {
		t.Errorf("PATCH answered %s, want the new frequency", patched)
	}
	p.wantPending("GET", p.call("GET", "/api/v1/subscribers/1", "", 200), "daily", campaigns.CadenceWeekly, before, time.Now())

	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal(p.call("GET", "/api/v1/subscribers", "", 200), &page); err != nil || len(page.Items) == 0 {
		t.Fatalf("the list of subscribers: %+v %v", page, err)
	}
	for _, it := range page.Items {
		if _, ok := pendingOf(t, it); ok {
			t.Errorf("the list of subscribers carries frequency_pending: %s", it)
		}
	}

	// A daily digest settles the change (subscriptions.stream) but does
	// not take the reader over: they are still in the dailies.
	p.call("POST", "/api/v1/digests/run", `{"list":"news"}`, 200)
	var stream *string
	if err := p.db.Read.QueryRow(`SELECT stream FROM subscriptions WHERE subscriber_id = 1`).Scan(&stream); err != nil {
		t.Fatal(err)
	}
	if stream == nil || *stream != "daily" {
		t.Fatalf("after a daily digest the reader's stream is %v, want daily: the change is settled", stream)
	}
	p.wantPending("GET after a daily digest", p.call("GET", "/api/v1/subscribers/1", "", 200), "daily", campaigns.CadenceWeekly, before, time.Now())

	// The weekly round-up takes them over.
	task, _ := queue.NewDigestBuildTask(queue.DigestBuildPayload{List: "news", Cadence: campaigns.CadenceWeekly, Slot: time.Now()})
	if err := p.s.Campaigns.HandleDigestBuild(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if got, ok := pendingOf(t, p.call("GET", "/api/v1/subscribers/1", "", 200)); ok {
		t.Errorf("after the round-up frequency_pending = %+v, want it gone", got)
	}
}

// A weekly reader who turns daily still gets the round-ups until the
// list's next daily digest, which takes them over.
func TestFrequencyPendingWeeklyToDaily(t *testing.T) {
	p := newPendingAPI(t)
	body := p.call("POST", "/api/v1/subscribers", `{"email":"wes@example.com","status":"confirmed","frequency":"weekly","lists":["news"]}`, 201)
	id := jsonID(t, body)
	if _, ok := pendingOf(t, body); ok {
		t.Errorf("a new reader has frequency_pending: %s", body)
	}
	before := time.Now()
	p.wantPending("PATCH", p.call("PATCH", "/api/v1/subscribers/"+id, `{"frequency":"daily"}`, 200), "weekly", campaigns.CadenceDaily, before, time.Now())
	p.wantPending("GET", p.call("GET", "/api/v1/subscribers/"+id, "", 200), "weekly", campaigns.CadenceDaily, before, time.Now())

	// The list's next daily digest, as its schedule runs it: a run by
	// hand that mails no one (wes is its only reader, not yet daily)
	// changes nothing.
	task, _ := queue.NewDigestBuildTask(queue.DigestBuildPayload{List: "news", Cadence: campaigns.CadenceDaily, Slot: time.Now()})
	if err := p.s.Campaigns.HandleDigestBuild(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if got, ok := pendingOf(t, p.call("GET", "/api/v1/subscribers/"+id, "", 200)); ok {
		t.Errorf("after the daily digest frequency_pending = %+v, want it gone", got)
	}
}

// Nothing is pending for a reader who changed nothing, changed their
// frequency and back before a digest, or is only on a weekly list (one
// digest for all); the reader beside them who did change on the daily
// list is told.
func TestFrequencyPendingOnlyWhenSwitched(t *testing.T) {
	p := newPendingAPI(t)
	p.call("POST", "/api/v1/lists", `{"slug":"sport","name":"Sport","digest":"weekly"}`, 201)
	steady := jsonID(t, p.call("POST", "/api/v1/subscribers", `{"email":"steady@example.com","status":"confirmed","lists":["news"]}`, 201))
	back := jsonID(t, p.call("POST", "/api/v1/subscribers", `{"email":"back@example.com","status":"confirmed","lists":["news"]}`, 201))
	sport := jsonID(t, p.call("POST", "/api/v1/subscribers", `{"email":"sport@example.com","status":"confirmed","lists":["sport"]}`, 201))

	before := time.Now()
	p.wantPending("the reader who changed", p.call("PATCH", "/api/v1/subscribers/1", `{"frequency":"weekly"}`, 200), "daily", campaigns.CadenceWeekly, before, time.Now())

	if got, ok := pendingOf(t, p.call("PATCH", "/api/v1/subscribers/"+steady, `{"name":"Steady"}`, 200)); ok {
		t.Errorf("PATCH of the name: frequency_pending = %+v, want none", got)
	}
	if got, ok := pendingOf(t, p.call("GET", "/api/v1/subscribers/"+steady, "", 200)); ok {
		t.Errorf("a reader who changed nothing: frequency_pending = %+v, want none", got)
	}
	p.call("PATCH", "/api/v1/subscribers/"+back, `{"frequency":"weekly"}`, 200)
	if got, ok := pendingOf(t, p.call("PATCH", "/api/v1/subscribers/"+back, `{"frequency":"daily"}`, 200)); ok {
		t.Errorf("a reader who changed and changed back: frequency_pending = %+v, want none", got)
	}
	if got, ok := pendingOf(t, p.call("PATCH", "/api/v1/subscribers/"+sport, `{"frequency":"weekly"}`, 200)); ok {
		t.Errorf("a reader of a weekly list only: frequency_pending = %+v, want none", got)
	}
}
