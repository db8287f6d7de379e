package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// newReportAdmin is an admin server with campaigns and reports on a real
// SQLite file, and a public list "news".
func newReportAdmin(t *testing.T) (*Server, *adminClient, *sqlite.DB) {
	t.Helper()
	return newReportAdminMailing(t, reportMail{})
}

// reportMail is how a test server's mail goes: to the outbox, as with no
// SMTP server set, and campaigns sent by workers (serve --no-send); with
// tracked, campaigns are tracked as serve tracks them: their links signed
// (campaigns.Service.Tracker), and their tracking read as the redirect and
// the open pixel read it (tracking.Links).
type reportMail struct{ outbox, workersSend, tracked bool }

// newReportAdminMailing is newReportAdmin whose mail goes as m says.
func newReportAdminMailing(t *testing.T, m reportMail) (*Server, *adminClient, *sqlite.DB) {
	t.Helper()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		s.Campaigns = testCampaigns(s, d, q, out, []byte("0123456789abcdef0123456789abcdef"))
		s.TrackDeps = TrackDeps{Reports: tracking.NewReports(d)}
		if m.tracked {
			s.Campaigns.Tracker = tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
			s.TrackDeps.Links = tracking.NewLinks(d)
		}
		if m.outbox {
			s.Outbox = out
		}
		s.WorkersSend = m.workersSend
	})
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "news", Name: "News", Public: true}); err != nil {
		t.Fatal(err)
	}
	return s, a, db
}

// reportServer is campaignServer with reports, and a sent digest of list
// "news" whose links go to two articles (one titled so that a
// spreadsheet would run it as a formula): its id.
func reportServer(t *testing.T) (*adminClient, string, int64) {
	t.Helper()
	ctx := context.Background()
	s, a, db := newReportAdmin(t)
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	now := sqlite.Now()
	started := now.Add(-3 * time.Hour).Truncate(time.Hour)
	exec := execer(t, db)
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, started_at, created_at, updated_at) VALUES ('digest', 'Weekly', 'sent', 'anonymous', ?, ?, ?)`, started, now, now)
	exec(`INSERT INTO campaign_lists (campaign_id, list_id) SELECT ?, id FROM lists WHERE slug = 'news'`, id)
	bridge := exec(`INSERT INTO articles (url, title, published_at, created_at) VALUES ('https://news.test/bridge', 'Bridge reopens', ?, ?)`, now, now)
	formula := exec(`INSERT INTO articles (url, title, published_at, created_at) VALUES ('https://news.test/sum', '=SUM(A1:A9)', ?, ?)`, now, now)
	exec(`INSERT INTO campaign_links (campaign_id, idx, url, article_id) VALUES (?, 0, 'https://news.test/bridge', ?), (?, 1, 'https://news.test/sum', ?)`, id, bridge, id, formula)
	for i := range 4 {
		sub := exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, "r"+strconv.Itoa(i)+"@example.com", "r"+strconv.Itoa(i)+"@example.com", now, now)
		exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, id, sub, now, now)
	}
	// Link 0: reader 1 twice, reader 2 once, a scanner; link 1: reader 3.
	for _, c := range []struct {
		link, clicker, machine int
		at                     time.Duration
	}{{0, 1, 0, 10 * time.Minute}, {0, 1, 0, 70 * time.Minute}, {0, 2, 0, 2 * time.Hour}, {0, 9, 1, 2 * time.Hour}, {1, 3, 0, 2 * time.Hour}} {
		reason := ""
		if c.machine == 1 {
			reason = "scanner"
		}
		exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at, machine, reason) VALUES (?, ?, ?, ?, ?, ?)`, id, c.link, c.clicker, started.Add(c.at), c.machine, reason)
	}
	return a, token, id
}

func TestCampaignReportAPI(t *testing.T) {
	a, token, id := reportServer(t)
	code, got := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/"+strconv.FormatInt(id, 10)+"/report", "")
	if code != http.StatusOK {
		t.Fatalf("report = %d %v", code, got)
	}
	want := map[string]any{"delivered": 4.0, "clicks": 4.0, "clickers": 3.0, "click_rate": 0.75, "machine_clicks": 1.0, "opens": 0.0, "machine_opens": 0.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	links, _ := got["links"].([]any)
	articles, _ := got["articles"].([]any)
	series, _ := got["series"].([]any)
	if len(links) != 2 || len(articles) != 2 || len(series) != 3 {
		t.Errorf("%d links, %d articles, %d buckets; want 2, 2, 3: %v", len(links), len(articles), len(series), got)
	}
	if code, _ := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/999/report", ""); code != http.StatusNotFound {
		t.Errorf("report of no campaign = %d, want 404", code)
	}
	if code, _ := apiCall(t, a.base, "", "GET", "/api/v1/campaigns/"+strconv.FormatInt(id, 10)+"/report", ""); code != http.StatusUnauthorized {
		t.Errorf("report without a token = %d, want 401", code)
	}
}

func TestListReportAPI(t *testing.T) {
	a, token, _ := reportServer(t)
	code, got := apiCall(t, a.base, token, "GET", "/api/v1/lists/news/report?days=7", "")
	if code != http.StatusOK || got["days"] != 7.0 || got["digests"] != 1.0 {
		t.Fatalf("report = %d %v", code, got)
	}
	articles, _ := got["articles"].([]any)
	if len(articles) != 2 || articles[0].(map[string]any)["title"] != "Bridge reopens" || articles[0].(map[string]any)["clicks"] != 3.0 {
		t.Errorf("articles = %v, want Bridge reopens first with 3 clicks", articles)
	}
	for path, want := range map[string]int{"/api/v1/lists/news/report?days=x": 422, "/api/v1/lists/news/report?days=0": 422, "/api/v1/lists/nope/report": 404} {
		if code, body := apiCall(t, a.base, token, "GET", path, ""); code != want {
			t.Errorf("GET %s = %d %v, want %d", path, code, body, want)
		}
	}
}

// getCSV fetches path and parses it as CSV.
func getCSV(t *testing.T, a *adminClient, path, token string) [][]string {
	t.Helper()
	req, _ := http.NewRequest("GET", a.base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("GET %s: Content-Disposition %q, want an attachment", path, cd)
	}
	records, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("GET %s does not parse as CSV: %v", path, err)
	}
	return records
}

func TestReportCSVParsesBackAndDefusesFormulas(t *testing.T) {
	a, token, id := reportServer(t)
	records := getCSV(t, a, "/api/v1/campaigns/"+strconv.FormatInt(id, 10)+"/report?format=csv", token)
	if diff := cmp.Diff(reportCSVHeader, records[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	var total, article []string
	for _, r := range records[1:] {
		if r[0] == "total" {
			total = r
		}
		if r[0] == "article" && strings.Contains(r[4], "SUM") {
			article = r
		}
	}
	if total == nil || total[5] != "4" || total[6] != "4" || total[7] != "3" {
		t.Errorf("total row %q, want delivered 4, clicks 4, clickers 3", total)
	}
	if article == nil || article[4] != "'=SUM(A1:A9)" {
		t.Errorf("the formula article's row %q, want its title prefixed with '", article)
	}
	a.login("correct horse battery")
	list := getCSV(t, a, "/admin/lists/news/report.csv", "")
	want := [][]string{
		{"rank", "article_id", "title", "url", "clicks", "clickers", "digests"},
		{"1", "1", "Bridge reopens", "https://news.test/bridge", "3", "2", "1"},
		{"2", "2", "'=SUM(A1:A9)", "https://news.test/sum", "1", "1", "1"},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("list CSV (-want +got):\n%s", diff)
	}
	if got := getCSV(t, a, "/admin/campaigns/"+strconv.FormatInt(id, 10)+"/report.csv", ""); len(got) != len(records) {
		t.Errorf("the admin's CSV has %d rows, the API's %d", len(got), len(records))
	}
}

func TestAdminReportPages(t *testing.T) {
	a, _, id := reportServer(t)
	a.login("correct horse battery")
	campaign := "/admin/campaigns/" + strconv.FormatInt(id, 10)
	_, body := a.get(campaign)
	if !strings.Contains(body, `href="`+campaign+`/report"`) {
		t.Errorf("the campaign page does not link to its report")
	}
	_, body = a.get("/admin/lists/news")
	if !strings.Contains(body, `href="/admin/lists/news/report"`) {
		t.Errorf("the list page does not link to its report")
	}
	for _, page := range []string{campaign + "/report", "/admin/lists/news/report", "/admin/lists/news/report?days=7"} {
		resp, body := a.get(page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", page, resp.StatusCode)
		}
		if script := directive(resp.Header.Get("Content-Security-Policy"), "script-src"); script == "" || strings.Contains(script, "unsafe-inline") {
			t.Errorf("%s: script-src %q", page, script)
		}
		for _, want := range []string{`<svg role="img" aria-label="`, `viewBox="0 0 `, `width="100%"`, `<title>`, `<table class="`, `data-label="Clicks"`, `Bridge reopens`, `report.csv`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", page, want)
			}
		}
		for _, bad := range []string{"<script", " onclick=", "=SUM(A1:A9)</text>x"} {
			if strings.Contains(layoutScriptFree(body), bad) {
				t.Errorf("%s has %s", page, bad)
			}
		}
	}
	_, body = a.get(campaign + "/report")
	for _, want := range []string{"75%", "by hour"} {
		if !strings.Contains(body, want) {
			t.Errorf("the campaign report lacks %q", want)
		}
	}
	if resp, _ := a.get("/admin/campaigns/999/report"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("report of no campaign = %d, want 404", resp.StatusCode)
	}
	if resp, _ := a.get("/admin/lists/news/report?days=x"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("days=x = %d, want 422", resp.StatusCode)
	}
}

func TestPercentOf(t *testing.T) {
	for rate, want := range map[float64]string{0: "0%", 0.75: "75%", 0.6667: "66.67%", 0.025: "2.5%", 1: "100%"} {
		if got := percentOf(rate); got != want {
			t.Errorf("percentOf(%v) = %q, want %q", rate, got, want)
		}
	}
}
