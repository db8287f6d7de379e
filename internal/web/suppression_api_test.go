package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// feedbackEnv is an admin server with the events store, an API token, the
// database and the server's log.
type feedbackEnv struct {
	t     *testing.T
	s     *Server
	a     *adminClient
	db    *sqlite.DB
	token string
	log   *logtest.Buffer
}

func newFeedbackEnv(t *testing.T) *feedbackEnv {
	t.Helper()
	e := &feedbackEnv{t: t, log: &logtest.Buffer{}}
	e.s, e.a = newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Log = slog.New(slog.NewJSONHandler(e.log, nil))
		e.db = db
	})
	var err error
	if e.token, err = e.s.Admins.CreateToken(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

// api sends a request with the token and returns the status and body.
func (e *feedbackEnv) api(method, path, body string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.a.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// exec runs q on the test database.
func (e *feedbackEnv) exec(q string, args ...any) int64 {
	e.t.Helper()
	res, err := e.db.Write.Exec(q, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

type suppressionJSON struct {
	Address   string `json:"address"`
	Domain    string `json:"domain"`
	Reason    string `json:"reason"`
	CreatedAt string `json:"created_at"`
}

type suppressionPage struct {
	Items []suppressionJSON `json:"items"`
	Next  *string           `json:"next"`
}

func targets(p suppressionPage) []string {
	var out []string
	for _, s := range p.Items {
		out = append(out, s.Address+s.Domain+"/"+s.Reason)
	}
	return out
}

// The suppression API adds addresses and domains, refuses bad ones
// naming the field, pages through the list with a search, and lifts an
// entry only with a reason, which is logged.
func TestSuppressionAPI(t *testing.T) {
	e := newFeedbackEnv(t)
	for _, c := range []struct {
		body   string
		status int
		want   string // in the answer
	}{
		{`{"address":"Robin@Tidewater.TEST"}`, 201, `"address":"robin@tidewater.test","reason":"manual"`},
		{`{"address":"robin@tidewater.test","reason":"complaint"}`, 200, `"reason":"manual"`},
		{`{"domain":"Spamtrap.test","reason":"complaint"}`, 201, `"domain":"spamtrap.test","reason":"complaint"`},
		{`{"domain":"bücher.example"}`, 201, `"domain":"xn--bcher-kva.example"`},
		{`{"address":"kai@tidewater.test"}`, 201, `"address":"kai@tidewater.test"`},
		{`{"address":"not an address"}`, 422, `"fields":{"address":`},
		{`{"domain":"no domain!"}`, 422, `"fields":{"domain":`},
		{`{"domain":"a@b.test"}`, 422, `"fields":{"domain":`},
		{`{"domain":"localhost"}`, 422, `"fields":{"domain":`},
		{`{}`, 422, `"fields":{"address":`},
		{`{"address":"a@b.test","domain":"b.test"}`, 422, `"fields":{"address":`},
		{`{"address":"a@b.test","reason":"dislike"}`, 422, `"fields":{"reason":`},
	} {
		status, body := e.api("POST", "/api/v1/suppressions", c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("POST %s = %d %s, want %d with %s", c.body, status, body, c.status, c.want)
		}
	}
	// The address was stored as its key: the domain lower-cased.
	var p suppressionPage
	status, body := e.api("GET", "/api/v1/suppressions?limit=2", "")
	if status != 200 || json.Unmarshal([]byte(body), &p) != nil {
		t.Fatalf("GET = %d %s", status, body)
	}
	if diff := cmp.Diff([]string{"kai@tidewater.test/manual", "robin@tidewater.test/manual"}, targets(p)); diff != "" || p.Next == nil {
		t.Fatalf("first page (-want +got):\n%s\nnext %v", diff, p.Next)
	}
	status, body = e.api("GET", "/api/v1/suppressions?limit=2&after="+*p.Next, "")
	p = suppressionPage{}
	json.Unmarshal([]byte(body), &p)
	if diff := cmp.Diff([]string{"spamtrap.test/complaint", "xn--bcher-kva.example/manual"}, targets(p)); status != 200 || diff != "" {
		t.Fatalf("second page = %d (-want +got):\n%s", status, diff)
	}
	if p.Next != nil {
		t.Errorf("last page next = %q, want null", *p.Next)
	}
	p = suppressionPage{}
	_, body = e.api("GET", "/api/v1/suppressions?q=TIDEWATER", "")
	json.Unmarshal([]byte(body), &p)
	if diff := cmp.Diff([]string{"kai@tidewater.test/manual", "robin@tidewater.test/manual"}, targets(p)); diff != "" {
		t.Errorf("?q=TIDEWATER (-want +got):\n%s", diff)
	}
	if status, _ := e.api("GET", "/api/v1/suppressions?limit=0", ""); status != 422 {
		t.Errorf("?limit=0 = %d, want 422", status)
	}

	// Lifting logs the reason given, which has a bounded length; an
	// entry not listed is a 404.
	if status, body := e.api("DELETE", "/api/v1/suppressions/robin@tidewater.test?reason="+strings.Repeat("x", 501), ""); status != 422 || !strings.Contains(body, `"reason"`) {
		t.Errorf("DELETE with a 501-byte reason = %d %s, want 422 naming reason", status, body)
	}
	if status, _ := e.api("DELETE", "/api/v1/suppressions/ROBIN@tidewater.test?reason=asked+us+by+phone", ""); status != 204 {
		t.Errorf("DELETE with ?reason = %d, want 204", status)
	}
	if status, _ := e.api("DELETE", "/api/v1/suppressions/robin@tidewater.test?reason=again", ""); status != 404 {
		t.Errorf("DELETE again = %d, want 404", status)
	}
	if status, _ := e.api("DELETE", "/api/v1/suppressions/spamtrap.test", `{"reason":"a test domain after all"}`); status != 204 {
		t.Errorf("DELETE with a JSON reason = %d, want 204", status)
	}
	if ok, _ := e.s.Events.Suppressed(context.Background(), "robin@tidewater.test"); ok {
		t.Error("robin is still suppressed")
	}
	logged := e.log.String()
	for _, want := range []string{`"msg":"suppression lifted"`, `"target":"robin@tidewater.test"`, `"reason":"asked us by phone"`, `"was":"manual"`, `"reason":"a test domain after all"`, `"level":"INFO"`} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %s:\n%s", want, logged)
		}
	}
	if strings.Contains(logged, e.token) {
		t.Error("the API token is in the log")
	}
}

type eventJSON struct {
	ID           int64  `json:"id"`
	Type         string `json:"type"`
	SubscriberID *int64 `json:"subscriber_id"`
	CampaignID   *int64 `json:"campaign_id"`
	Source       string `json:"source"`
	Detail       struct {
		Bounce, Status, Diagnostic string
	} `json:"detail"`
}

// seedEvents stores a campaign, two readers and three events: a hard
// bounce and a complaint on the campaign, a soft bounce on none.
func (e *feedbackEnv) seedEvents() int64 {
	now := sqlite.Now()
	cid := e.exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hello', 'sent', ?, ?)`, now, now)
	e.exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Other', 'sent', ?, ?)`, now, now)
	r1 := e.exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('robin@tidewater.test', 'robin@tidewater.test', 'confirmed', ?, ?)`, now, now)
	r2 := e.exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('kai@tidewater.test', 'kai@tidewater.test', 'confirmed', ?, ?)`, now, now)
	ins := `INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	e.exec(ins, "bounce_hard", "dsn", "5.1.1", "550 5.1.1 user unknown", cid, r1, "robin@tidewater.test", "k1", now, now)
	e.exec(ins, "complaint", "arf", "", "", cid, r2, "kai@tidewater.test", "k2", now, now)
	e.exec(ins, "bounce_soft", "ses", "4.2.2", "mailbox full", nil, r2, "kai@tidewater.test", "k3", now, now)
	return cid
}

// GET /api/v1/events filters by type and campaign and pages by id.
func TestEventsAPI(t *testing.T) {
	e := newFeedbackEnv(t)
	cid := e.seedEvents()
	type page struct {
		Items []eventJSON `json:"items"`
		Next  *int64      `json:"next"`
	}
	get := func(q string) ([]string, *int64) {
		t.Helper()
		status, body := e.api("GET", "/api/v1/events"+q, "")
		var p page
		if status != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("GET /api/v1/events%s = %d %s", q, status, body)
		}
		var out []string
		for _, it := range p.Items {
			s := it.Type + "/" + it.Source + "/" + it.Detail.Bounce + "/" + it.Detail.Status
			if it.CampaignID != nil {
				s += "/c"
			}
			out = append(out, s)
		}
		return out, p.Next
	}
	all := []string{"bounce/dsn/hard/5.1.1/c", "complaint/arf///c", "bounce/ses/soft/4.2.2"}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", all},
		{"?type=bounce", []string{all[0], all[2]}},
		{"?type=complaint", []string{all[1]}},
		{"?campaign=" + itoa(cid), all[:2]},
		{"?campaign=" + itoa(cid) + "&type=bounce", all[:1]},
		{"?campaign=" + itoa(cid+1), nil},
		{"?after=1", all[1:]},
	} {
		got, _ := get(c.q)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("GET /api/v1/events%s (-want +got):\n%s", c.q, diff)
		}
	}
	got, next := get("?limit=2")
	if diff := cmp.Diff(all[:2], got); diff != "" || next == nil || *next != 2 {
		t.Errorf("?limit=2 (-want +got):\n%s\nnext %v, want 2", diff, next)
	}
	for _, q := range []string{"?type=delivery", "?campaign=x", "?after=-1"} {
		if status, body := e.api("GET", "/api/v1/events"+q, ""); status != 422 || !strings.Contains(body, `"fields"`) {
			t.Errorf("GET /api/v1/events%s = %d %s, want 422 naming the field", q, status, body)
		}
	}
}
