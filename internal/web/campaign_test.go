package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// testCampaigns is the campaigns service of the test servers: the
// embedded queue q, mail to out, links signed with secret.
func testCampaigns(s *Server, db *sqlite.DB, q *queue.Queue, out mailer.Transport, secret []byte) *campaigns.Service {
	return &campaigns.Service{
		Store: campaigns.NewStore(db), Queue: q.Client, Redis: q.Redis(),
		Signer: subscribers.NewSigner(secret), Templates: s.Templates,
		Transport: out, BaseURL: "http://127.0.0.1", From: "Gazette <news@example.com>", Log: s.Log,
	}
}

// campaignServer adds a campaigns.Service (embedded Redis, outbox) and a
// confirmed reader on list "news" to the admin test server.
func campaignServer(t *testing.T) (*Server, *adminClient, *mailer.Outbox, string) {
	t.Helper()
	s, a, out, _, token := newCampaignServer(t)
	return s, a, out, token
}

// campaignServerWithDB is campaignServer with its database, for tests
// that set up rows older versions left behind.
func campaignServerWithDB(t *testing.T) (*Server, *adminClient, *sqlite.DB, string) {
	t.Helper()
	s, a, _, db, token := newCampaignServer(t)
	return s, a, db, token
}

func newCampaignServer(t *testing.T) (*Server, *adminClient, *mailer.Outbox, *sqlite.DB, string) {
	t.Helper()
	return newCampaignServerVia(t, nil, false)
}

// newCampaignServerVia is newCampaignServer sending over transport, or
// to its outbox when transport is nil; with outboxPages the admin pages
// know of that outbox (s.Outbox), as serve's do when it has no SMTP
// server.
func newCampaignServerVia(t *testing.T, transport mailer.Transport, outboxPages bool) (*Server, *adminClient, *mailer.Outbox, *sqlite.DB, string) {
	t.Helper()
	ctx := context.Background()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	if transport == nil {
		transport = out
	}
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		if outboxPages {
			s.Outbox = out
		}
		s.Campaigns = testCampaigns(s, d, q, transport, []byte("0123456789abcdef0123456789abcdef"))
	})
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ada@example.com", Name: "Ada", Status: "confirmed", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s, a, out, db, token
}

// createCampaign posts a campaign through the API and returns its admin
// page and API paths.
func createCampaign(t *testing.T, a *adminClient, token, body string) (page, api string) {
	t.Helper()
	code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", body)
	if code != http.StatusCreated {
		t.Fatalf("create = %d %v", code, c)
	}
	id := strconv.Itoa(int(c["id"].(float64)))
	return "/admin/campaigns/" + id, "/api/v1/campaigns/" + id
}

func apiCall(t *testing.T, base, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	return resp.StatusCode, got
}

func TestCampaignAPILifecycle(t *testing.T) {
	_, a, out, token := campaignServer(t)
	code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Bridge news","body":"Hello {{ .Name }}","lists":["news"]}`)
	if code != http.StatusCreated || c["id"] == nil || c["status"] != "draft" {
		t.Fatalf("create = %d %v", code, c)
	}
	path := "/api/v1/campaigns/" + strconv.Itoa(int(c["id"].(float64)))
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"","body":"{{ .Password }}","lists":["nope"]}`); code != 422 || got["error"] != "validation" {
		t.Errorf("invalid create = %d %v", code, got)
	}
	if code, got := apiCall(t, a.base, token, "POST", path+"/test", `{"to":["editor@example.com"]}`); code != 200 {
		t.Errorf("test send = %d %v", code, got)
	}
	if names, _ := out.List(0); len(names) != 1 {
		t.Errorf("outbox has %d messages after a test send, want 1", len(names))
	}
	steps := []struct {
		path   string
		status int
		want   string
	}{
		{"/send", 200, "sending"},
		{"/send", 409, ""},
		{"/pause", 200, "paused"},
		{"/pause", 409, ""},
		{"/resume", 200, "sending"},
		{"/cancel", 200, "cancelled"},
		{"/resume", 409, ""},
	}
	for _, st := range steps {
		code, got := apiCall(t, a.base, token, "POST", path+st.path, "")
		if code != st.status || (st.want != "" && got["status"] != st.want) {
			t.Errorf("POST %s = %d %v, want %d %s", st.path, code, got, st.status, st.want)
		}
	}
	code, got := apiCall(t, a.base, token, "GET", path, "")
	stats, _ := got["stats"].(map[string]any)
	if code != 200 || stats == nil || got["status"] != "cancelled" {
		t.Errorf("GET = %d %v, want a cancelled campaign with stats", code, got)
	}
	if code, _ := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/999", ""); code != 404 {
		t.Errorf("GET unknown = %d, want 404", code)
	}
}

func TestAdminCampaignPages(t *testing.T) {
	_, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	_, body := a.get("/admin/campaigns/new")
	csrf := csrfField.FindStringSubmatch(body)[1]

	// Preview shows the sample name, never the mailer's placeholder.
	resp, err := a.c.PostForm(a.base+"/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"preview"},
		"subject": {"Hi"}, "body": {"Hello **{{ .Name }}** <script>x()</script>"}, "lists": {"news"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 64<<10)
	for n, err := resp.Body.Read(buf); n > 0 || err == nil; n, err = resp.Body.Read(buf) {
		b.Write(buf[:n])
	}
	resp.Body.Close()
	if !strings.Contains(b.String(), "&lt;strong&gt;Ada Reader&lt;/strong&gt;") || strings.Contains(b.String(), "BLTN") || strings.Contains(b.String(), "<script>x()") {
		t.Errorf("preview does not show the rendered, sanitised body:\n%s", b.String())
	}

	resp = a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/campaigns/") {
		t.Fatalf("save = %d to %q", resp.StatusCode, loc)
	}
	if _, body := a.get(loc); !strings.Contains(body, `role="status">Campaign saved.</div>`) {
		t.Errorf("%s shows no 'Campaign saved.' banner", loc)
	}
	page := strings.SplitN(loc, "?", 2)[0]
	if resp := a.post(page+"/send", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("send without csrf = %d, want 403", resp.StatusCode)
	}
	if resp := a.post(page+"/send", url.Values{"csrf": {csrf}, "confirm": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("send = %d", resp.StatusCode)
	} else if _, body := a.get(resp.Header.Get("Location")); !strings.Contains(body, `role="status">Campaign is sending.</div>`) {
		t.Errorf("%s shows no 'Campaign is sending.' banner", resp.Header.Get("Location"))
	}
	if resp := a.post(page+"/send", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second send = %d, want 409", resp.StatusCode)
	}
	_, body = a.get(page + "/progress")
	if !strings.Contains(body, `"status":"sending"`) || !strings.Contains(body, `"stats":{"total":`) {
		t.Errorf("progress = %s", body)
	}
	if resp, body := a.get("/admin/campaigns"); resp.StatusCode != 200 || !strings.Contains(body, ">Hi</a>") {
		t.Errorf("campaigns page = %d", resp.StatusCode)
	}
	if resp, body := a.get("/admin"); resp.StatusCode != 200 || !strings.Contains(body, ">Hi</a>") {
		t.Errorf("dashboard lacks the recent campaign (%d)", resp.StatusCode)
	}
}
