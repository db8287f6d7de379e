package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The dashboard's chart counts every reader added, however they came:
// Bulletin stores no source to tell a signup from an import or a reader
// added by hand, so it says "New readers", and says why, rather than
// "Signups" over a count that holds the other two.
func TestDashboardCountsNewReadersNotSignups(t *testing.T) {
	s, a := newAdminServerWith(t, nil)
	ctx := context.Background()
	for _, email := range []string{"ann@example.com", "bo@example.com"} {
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: email, Status: subscribers.StatusConfirmed}); err != nil {
			t.Fatal(err)
		}
	}
	a.login("correct horse battery")
	_, page := a.get("/admin")
	if !strings.Contains(page, "New readers, last 14 days") || strings.Contains(page, "Signups") {
		t.Errorf("the chart is not headed as new readers, or still says signups:\n%s", page)
	}
	if !strings.Contains(page, "signed up, were imported or were added by hand") {
		t.Error("the chart does not say that it counts readers however they came")
	}
	today := time.Now().UTC().Format("2 January 2006")
	if !strings.Contains(page, `title="`+today+`: 2 new readers"`) {
		t.Errorf("today's bar is not titled %q:\n%s", today+": 2 new readers", page)
	}
}

// A URL another article has refuses the article form with that article
// named by its title and linked to its page; the edit form's refusal does
// not ask to edit the other instead, as the new article's does.
func TestArticleURLTakenNamesTheArticle(t *testing.T) {
	s, a := newAdminServerWith(t, nil)
	ctx := context.Background()
	bridge, err := s.Articles.Create(ctx, &articles.Patch{URL: new("https://news.example/bridge"), Title: new("Bridge <re>opens"),
		PublishedAt: new(time.Now().UTC())})
	if err != nil {
		t.Fatal(err)
	}
	ferry, err := s.Articles.Create(ctx, &articles.Patch{URL: new("https://news.example/ferry"), Title: new("Ferry times"),
		PublishedAt: new(time.Now().UTC())})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	form := url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Ferry times"}, "url": {"https://news.example/bridge"},
		"published_at": {"2026-11-22T06:30"}}
	link := `The article “<a href="/admin/articles/` + strconv.FormatInt(bridge.ID, 10) + `">Bridge &lt;re&gt;opens</a>” has this URL already: one URL is one article`
	resp, body := a.postBody("/admin/articles/"+strconv.FormatInt(ferry.ID, 10), form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, link+".</p>") {
		t.Errorf("edit with another's URL = %d, want 409 saying %q:\n%s", resp.StatusCode, link+".", body)
	}
	resp, body = a.postBody("/admin/articles", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, link+"; edit that one instead.</p>") {
		t.Errorf("new article with a stored URL = %d, want 409 saying %q:\n%s", resp.StatusCode, link+"; edit that one instead.", body)
	}
}

// The Articles page shows each article's lists by name, as the other
// pages do, with the slug kept for the filter link.
func TestArticlesListShowsListNames(t *testing.T) {
	s, a := newAdminServerWith(t, nil)
	ctx := context.Background()
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Articles.Create(ctx, &articles.Patch{URL: new("https://news.example/high"), Title: new("High water"),
		PublishedAt: new(time.Now().UTC()), Lists: new([]string{"tides"})}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, page := a.get("/admin/articles")
	if want := `<a class="badge" href="/admin/articles?list=tides" title="tides">Tide Tables</a>`; !strings.Contains(page, want) {
		t.Errorf("the article's list is not shown by its name, want %s:\n%s", want, page)
	}
}

// clockWords is a time as the admin's pages write it (the datetime
// template func): "4 December 2026, 14:39 UTC".
var clockWords = regexp.MustCompile(`^\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$`)

// The outbox lists when each message was written as every other admin
// page writes a time, in words with its zone.
func TestOutboxTimesInWordsWithZone(t *testing.T) {
	out, a := newOutboxAdmin(t)
	msg := "From: news@example.com\r\nTo: ann@example.com\r\nSubject: Tides\r\n\r\nHigh water at six.\r\n"
	if err := out.Send(context.Background(), "news@example.com", []string{"ann@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, page := a.get("/admin/outbox")
	m := regexp.MustCompile(`<td class="muted" data-label="Written">([^<]*)</td>`).FindStringSubmatch(page)
	if m == nil || !clockWords.MatchString(m[1]) {
		t.Errorf("the outbox's Written column = %q, want a time like 4 December 2026, 14:39 UTC:\n%s", m, page)
	}
}

// The Queues page gives its workers' start in words with the zone, and
// says what each queue holds and what each figure counts: the send
// queue's zeros while serve sends its own batches are no fault.
func TestQueuesPageExplainsItsFigures(t *testing.T) {
	q := queuetest.Embedded(t)
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Inspector = asynq.NewInspectorFromRedisClient(q.Redis())
	})
	srv := asynq.NewServerFromRedisClient(q.Redis(), asynq.Config{Queues: map[string]int{queue.QueueDefault: 1}, Concurrency: 1,
		LogLevel: asynq.FatalLevel})
	if err := srv.Start(asynq.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ins := asynq.NewInspectorFromRedisClient(q.Redis())
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if sv, err := ins.Servers(); err == nil && len(sv) > 0 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the worker never showed in Redis: %v", err)
		}
	}
	a.login("correct horse battery")
	_, page := a.get("/admin/queues")
	m := regexp.MustCompile(`<td class="muted" data-label="Started">([^<]*)</td>`).FindStringSubmatch(page)
	if m == nil || !clockWords.MatchString(m[1]) {
		t.Errorf("the worker's Started = %q, want a time like 4 December 2026, 14:39 UTC:\n%s", m, page)
	}
	for _, says := range []string{
		"the counts are of tasks, not of mails",
		"sends the batches of mail it makes itself, without this queue",
		"tasks run since midnight UTC, the failed ones included",
		"failed too often and given up",
	} {
		if !strings.Contains(page, says) {
			t.Errorf("the Queues page does not say %q", says)
		}
	}
}

// After a logout the login page says so, and its cursor is in Email;
// after a wrong password, in the password, the email being typed. The
// logout's link opened with a live session says nothing of a logout.
func TestLoginPageAfterLogout(t *testing.T) {
	_, a := newAdminServerWith(t, nil)
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	_, page := a.get("/admin/login?flash=logged-out")
	if strings.Contains(page, "You are logged out.") {
		t.Error("the login page says logged out to a browser with a live session")
	}
	resp := a.post("/admin/logout", url.Values{"csrf": {a.csrfOf("/admin")}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/login") {
		t.Fatalf("logout = %d to %q", resp.StatusCode, loc)
	}
	_, page = a.get(loc)
	if !strings.Contains(page, `<p class="flash" role="status">You are logged out.</p>`) {
		t.Errorf("the login page after a logout does not say so:\n%s", page)
	}
	if in, _, ok := m23FormInput(t, page, "email"); !ok || !hasAttr(in, "autofocus") {
		t.Errorf("the login page's Email has no autofocus: %v", in)
	}
	if in, _, _ := m23FormInput(t, page, "password"); hasAttr(in, "autofocus") {
		t.Error("the empty login page puts the cursor in the password")
	}
	_, page = a.get("/admin/login")
	if strings.Contains(page, "You are logged out.") {
		t.Error("the plain login page says logged out")
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no login csrf:\n%s", page)
	}
	_, page = a.postBody("/admin/login", url.Values{"csrf": {csrf[1]}, "email": {"editor@example.com"}, "password": {"wrong"}})
	if in, _, _ := m23FormInput(t, page, "password"); !hasAttr(in, "autofocus") {
		t.Errorf("after a wrong password the cursor is not in the password: %v", in)
	}
	if in, _, _ := m23FormInput(t, page, "email"); hasAttr(in, "autofocus") {
		t.Error("after a wrong password the cursor is in Email, the address already typed")
	}
}

func hasAttr(attrs map[string]string, name string) bool {
	_, ok := attrs[name]
	return ok
}

// The embed page, opened from a list's page by a logged-in editor, leads
// back to that list's page (or to the Lists page); a visitor gets no
// link into the admin.
func TestEmbedPageLinksEditorsBack(t *testing.T) {
	_, a := newSettingsServer(t) // logged in, with the public list tides
	for path, want := range map[string]string{
		"/subscribe/embed?list=TIDES": `<a href="/admin/lists/tides">← Tide Tables</a>`,
		"/subscribe/embed":            `<a href="/admin/lists">← Lists</a>`,
	} {
		if _, page := a.get(path); !strings.Contains(page, want) {
			t.Errorf("%s for an editor has no %s:\n%s", path, want, page)
		}
	}
	visitor := &adminClient{t: t, base: a.base, c: &http.Client{}}
	if _, page := visitor.get("/subscribe/embed?list=tides"); strings.Contains(page, `href="/admin`) {
		t.Errorf("the embed page links a visitor into the admin:\n%s", page)
	}
}

// The suppression form's error for an empty entry says what to type,
// not the API's member name in quotes.
func TestSuppressionFormSaysWhatToType(t *testing.T) {
	e := newFeedbackEnv(t)
	e.a.loginAs("editor@example.com", "correct horse battery")
	resp, page := e.a.postBody("/admin/suppressions", url.Values{"csrf": {e.a.csrfOf("/admin/suppressions")}, "target": {" "}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty suppression = %d, want 422", resp.StatusCode)
	}
	if !strings.Contains(page, "Give an address to suppress, like name@example.com, or a whole domain, like example.com.") ||
		strings.Contains(page, "as &#34;domain&#34;") {
		t.Errorf("the form's error does not say what to type:\n%s", page)
	}
}
