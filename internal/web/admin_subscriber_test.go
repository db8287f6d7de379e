package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// adminSubEnv is the subscriber area on a real SQLite file and the
// embedded Redis, with the admin pages and a logged-in admin.
type adminSubEnv struct {
	*subEnv
	a    *adminClient
	csrf string
}

func newAdminSubEnv(t *testing.T) *adminSubEnv {
	t.Helper()
	e := newSubEnv(t, 0)
	tm, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Templates = tm
	e.srv.Confirms = e.queue.Client
	if _, err := e.srv.Admins.SetAdmin(context.Background(), "editor@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	a := &adminClient{t: t, base: ts.URL, c: c}
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return &adminSubEnv{subEnv: e, a: a, csrf: a.csrfOf("/admin/subscribers")}
}

// upload posts a CSV file (none when file is empty) to the import form,
// with the CSRF field and the fields in extra.
func (e *adminSubEnv) upload(file string, extra url.Values) (*http.Response, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", e.csrf)
	for k, vs := range extra {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", "readers.csv")
		io.WriteString(fw, file)
	}
	mw.Close()
	resp, err := e.a.c.Post(e.a.base+"/admin/subscribers/import", mw.FormDataContentType(), &body)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// importReport uploads file and follows the progress page until the
// import is done, returning the report page.
func (e *adminSubEnv) importReport(file string, extra url.Values) string {
	e.t.Helper()
	resp, body := e.upload(file, extra)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/subscribers/import?job=") {
		e.t.Fatalf("upload = %d to %q:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	loc := resp.Header.Get("Location")
	// A guard against a hang, not a timing: a busy machine under -race
	// takes seconds for a file of thousands of rows.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, body := e.a.get(loc)
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("GET %s = %d", loc, resp.StatusCode)
		}
		running := strings.Contains(body, `http-equiv="refresh"`)
		if running != (resp.Header.Get("Refresh") != "") {
			e.t.Fatalf("progress page: meta refresh %v but Refresh header %q", running, resp.Header.Get("Refresh"))
		}
		if running {
			if !strings.Contains(body, "<progress") {
				e.t.Fatalf("a running import shows no <progress> bar:\n%s", body)
			}
			continue
		}
		return body
	}
	e.t.Fatal("the import did not finish in 60 s")
	return ""
}

func (e *adminSubEnv) byEmail(email string) *subscribers.Subscriber {
	e.t.Helper()
	page, _, err := e.store.List(context.Background(), subscribers.Filter{Q: email, Limit: 10})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range page {
		if strings.EqualFold(s.Email, email) {
			return s
		}
	}
	return nil
}

// The add form makes a confirmed reader at once (the admin vouches), or a
// pending one who gets the confirmation mail a signup gets; a taken address
// is a form error that changes nothing.
func TestAdminSubscriberAdd(t *testing.T) {
	e := newAdminSubEnv(t)
	resp, body := e.a.get("/admin/subscribers/new")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/admin/subscribers"`) || !strings.Contains(body, `value="daily-news"`) {
		t.Fatalf("GET /admin/subscribers/new = %d, no add form with the lists:\n%s", resp.StatusCode, body)
	}
	if _, body := e.a.get("/admin/subscribers"); !strings.Contains(body, `href="/admin/subscribers/new"`) {
		t.Error("the subscribers page has no link to the add form")
	}

	form := url.Values{"csrf": {e.csrf}, "email": {"Ann@Example.COM"}, "name": {"Ann"}, "list": {"daily-news", "editors-desk"}, "status": {"confirmed"}}
	resp = e.a.post("/admin/subscribers", form)
	if key, _, _ := flashSet(resp); resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/admin/subscribers/\d+$`).MatchString(resp.Header.Get("Location")) || key != "subscriber-added" {
		t.Fatalf("add confirmed = %d to %q with the banner %q", resp.StatusCode, resp.Header.Get("Location"), key)
	}
	ann := e.byEmail("Ann@example.com")
	if ann == nil || ann.Status != subscribers.StatusConfirmed || ann.Name != "Ann" {
		t.Fatalf("stored %+v, want Ann confirmed", ann)
	}
	if diff := cmp.Diff([]string{"daily-news", "editors-desk"}, ann.Lists); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}

	form = url.Values{"csrf": {e.csrf}, "email": {"bob@example.com"}, "name": {"Bob"}, "list": {"weekend-culture"}, "status": {"pending"}}
	if resp := e.a.post("/admin/subscribers", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add pending = %d", resp.StatusCode)
	}
	if bob := e.byEmail("bob@example.com"); bob == nil || bob.Status != subscribers.StatusPending {
		t.Fatalf("bob = %+v, want pending", bob)
	}
	e.runConfirmations()
	var to []string
	for _, m := range e.sent.all() {
		to = append(to, m.To...)
		if !confirmLink.MatchString(m.Raw) {
			t.Errorf("mail to %v has no confirmation link", m.To)
		}
	}
	if diff := cmp.Diff([]string{"bob@example.com"}, to); diff != "" {
		t.Errorf("confirmation mails (-want +got):\n%s", diff)
	}

	// The same address again, in another case: refused on the form.
	form = url.Values{"csrf": {e.csrf}, "email": {"ann@EXAMPLE.com"}, "name": {"Other"}, "status": {"pending"}}
	resp, body = e.a.postBody("/admin/subscribers", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "exists already") || !strings.Contains(body, `value="ann@EXAMPLE.com"`) {
		t.Errorf("duplicate = %d, want 422 saying it exists with the value kept:\n%s", resp.StatusCode, body)
	}
	if got := e.byEmail("ann@example.com"); got.Name != "Ann" || got.Status != subscribers.StatusConfirmed {
		t.Errorf("the duplicate changed Ann: %+v", got)
	}
	// Bad input: each error by its field, as the API says it, as a sentence.
	form = url.Values{"csrf": {e.csrf}, "email": {"not an address"}, "status": {"confirmed"}}
	resp, body = e.a.postBody("/admin/subscribers", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter just the address") {
		t.Errorf("bad address = %d:\n%s", resp.StatusCode, body)
	}
	form = url.Values{"csrf": {e.csrf}, "email": {"carl@example.com"}, "status": {"confirmed"}, "list": {"no-such-list"}}
	resp, body = e.a.postBody("/admin/subscribers", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `no list &#34;no-such-list&#34;`) || e.byEmail("carl@example.com") != nil {
		t.Errorf("unknown list = %d:\n%s", resp.StatusCode, body)
	}
	// Without the CSRF field nothing is made.
	if resp := e.a.post("/admin/subscribers", url.Values{"email": {"dan@example.com"}, "status": {"confirmed"}}); resp.StatusCode != http.StatusForbidden || e.byEmail("dan@example.com") != nil {
		t.Errorf("add without csrf = %d", resp.StatusCode)
	}
}

// An upload with good and bad lines is imported in the background; its
// report counts added, updated and skipped readers and names each bad
// line and each unknown list. Pending readers get their confirmation.
func TestAdminSubscriberImportReport(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	if _, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "old@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	if _, body := e.a.get("/admin/subscribers/import"); !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `type="file"`) {
		t.Fatalf("no upload form:\n%s", body)
	}
	file := "email,name,lists,status,attributes\n" + // line 1
		"new1@example.com,New One,daily-news,,\n" + // 2: added, pending
		"new2@example.com,New Two,daily-news;weekend-culture,confirmed,\"{\"\"city\"\":\"\"Oslo\"\"}\"\n" + // 3: added
		"old@example.com,Old Reader,weekend-culture,,\n" + // 4: updated: name; asked to confirm a list
		"not-an-address,X,daily-news,,\n" + // 5: bad
		"lost@example.com,Lost,daily-news;ghost-list,,\n" + // 6: unknown list
		"new1@example.com,Again,daily-news,,\n" + // 7: repeat
		"st@example.com,S,daily-news,sleeping,\n" + // 8: bad status
		"at@example.com,A,daily-news,,{not json\n" // 9: bad attributes
	// Line 3 is marked confirmed: without the consent box the editor says
	// it is to be asked again (TestAdminImportOfConfirmedRowsAsksWhichIsMeant).
	body := e.importReport(file, url.Values{"reconfirm": {"on"}})
	for _, want := range []string{
		`<div class="stat">2</div>Added`, `<div class="stat">1</div>Updated`, `<div class="stat">1</div>Skipped`, `<div class="stat">4</div>Invalid`,
		"Line 5", "Line 6", "ghost-list", "Line 7", "repeats line 2", "Line 8", "sleeping", "Line 9", "attributes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(body, "1 reader already stored was asked by mail to confirm the lists this file adds") {
		t.Errorf("the report does not say old@example.com was asked to confirm the list added:\n%s", body)
	}
	if !regexp.MustCompile(`(?s)Unknown lists.*ghost-list`).MatchString(body) {
		t.Errorf("the report does not name the unknown list:\n%s", body)
	}
	n1, n2, old := e.byEmail("new1@example.com"), e.byEmail("new2@example.com"), e.byEmail("old@example.com")
	if n1 == nil || n1.Status != subscribers.StatusPending || n2 == nil || n2.Status != subscribers.StatusPending {
		t.Fatalf("new1 %+v, new2 %+v: want both pending (the import did not vouch for consent)", n1, n2)
	}
	if n2.Attributes["city"] != "Oslo" || len(n2.Lists) != 2 {
		t.Errorf("new2 = %+v, want city Oslo on two lists", n2)
	}
	// The import did not vouch for consent: a confirmed reader joins the
	// new list only when he clicks the mail asking him to.
	if old.Name != "Old Reader" || strings.Join(old.Lists, ",") != "daily-news" || old.Status != subscribers.StatusConfirmed {
		t.Errorf("old = %+v, want renamed, still confirmed on daily-news alone until he confirms weekend-culture", old)
	}
	if e.byEmail("lost@example.com") != nil {
		t.Error("the line with an unknown list was imported")
	}
	// The confirmations are on the queue already, not left to the reconciler.
	e.runConfirmations()
	var to []string
	for _, m := range e.sent.all() {
		to = append(to, m.To...)
	}
	slices.Sort(to)
	if diff := cmp.Diff([]string{"new1@example.com", "new2@example.com", "old@example.com"}, to); diff != "" {
		t.Errorf("confirmation mails (-want +got):\n%s", diff)
	}
}

// An export imported into a fresh install, with consent vouched, exports
// again the same, byte for byte.
func TestAdminSubscriberExportImportRoundTrip(t *testing.T) {
	src := newAdminSubEnv(t)
	ctx := context.Background()
	for _, n := range []subscribers.NewSubscriber{
		{Email: "ann@example.com", Name: "Ann", Status: "confirmed", Lists: []string{"daily-news", "weekend-culture"}, Attributes: map[string]any{"city": "Oslo", "n": 3.0}},
		{Email: "bob@example.com", Name: `=HYPERLINK("http://evil.test")`, Status: "pending", Frequency: "weekly", Lists: []string{"daily-news"}},
		{Email: "cy@example.com", Name: "Cy; -semi", Status: "unsubscribed"}, // on no list, as the API adds one
		{Email: "di@example.com", Name: "", Status: "bounced", Lists: []string{"weekend-culture"}},
		{Email: "ed@example.com", Name: "Ed", Status: "confirmed"},
	} {
		if _, err := src.store.Create(ctx, &n); err != nil {
			t.Fatal(err)
		}
	}
	first := exportOK(t, src.a, "/admin/subscribers/export")
	if !strings.HasPrefix(first, "\uFEFFemail,name,lists,status,attributes") { // the mark for Excel
		t.Fatalf("export header: %q", strings.SplitN(first, "\n", 2)[0])
	}
	dst := newAdminSubEnv(t)
	body := dst.importReport(first, url.Values{"confirmed": {"on"}})
	if !strings.Contains(body, `<div class="stat">5</div>Added`) || !strings.Contains(body, `<div class="stat">0</div>Invalid`) {
		t.Fatalf("import of the export:\n%s", body)
	}
	if second := exportOK(t, dst.a, "/admin/subscribers/export"); second != first {
		t.Errorf("export after the round trip differs:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	dst.runConfirmations()
	if n := len(dst.sent.all()); n != 1 {
		t.Errorf("%d confirmation mails after the import, want 1 (bob is pending)", n)
	}
}

func exportOK(t *testing.T, a *adminClient, path string) string {
	t.Helper()
	resp, body := a.get(path)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s = %d %q %q:\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
	}
	return body
}

// The export takes the page's filters, guards cells against formulas, and
// needs the admin session: the page links to it, never to the token API.
func TestAdminSubscriberExportFiltersAndSession(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	for _, n := range []subscribers.NewSubscriber{
		{Email: "ann@example.com", Name: "=cmd|' /C calc'!A0", Status: "confirmed", Lists: []string{"daily-news"}},
		{Email: "anna@example.com", Name: "Anna", Status: "pending", Lists: []string{"daily-news"}},
		{Email: "bob@example.com", Name: "Bob", Status: "confirmed", Lists: []string{"weekend-culture"}},
		{Email: "annie@example.com", Name: "Annie", Status: "confirmed", Lists: []string{"weekend-culture"}},
	} {
		if _, err := e.store.Create(ctx, &n); err != nil {
			t.Fatal(err)
		}
	}
	emails := func(path string) []string {
		rows, err := csv.NewReader(strings.NewReader(exportOK(t, e.a, path))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0])
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"ann@example.com", "anna@example.com", "bob@example.com", "annie@example.com"}},
		{"?q=ann", []string{"ann@example.com", "anna@example.com", "annie@example.com"}},
		{"?q=ann&list=daily-news", []string{"ann@example.com", "anna@example.com"}},
		{"?q=ann&list=daily-news&status=confirmed", []string{"ann@example.com"}},
		{"?status=confirmed", []string{"ann@example.com", "bob@example.com", "annie@example.com"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, emails("/admin/subscribers/export"+tt.query)); diff != "" {
			t.Errorf("export%s (-want +got):\n%s", tt.query, diff)
		}
	}
	if body := exportOK(t, e.a, "/admin/subscribers/export?status=confirmed"); !strings.Contains(body, `'=cmd|`) {
		t.Errorf("a formula name is not guarded:\n%s", body)
	}
	if resp, _ := e.a.get("/admin/subscribers/export?status=sleeping"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("export with a bad status = %d, want 422", resp.StatusCode)
	}

	// The page's export link carries its filters; no page links the API.
	_, page := e.a.get("/admin/subscribers?q=ann&list=daily-news&status=confirmed")
	if !strings.Contains(page, `href="/admin/subscribers/export?list=daily-news&amp;q=ann&amp;status=confirmed"`) {
		t.Errorf("the page's export link does not carry its filters:\n%s", page)
	}
	ann := e.byEmail("ann@example.com")
	_, detail := e.a.get(fmt.Sprintf("/admin/subscribers/%d", ann.ID))
	for name, p := range map[string]string{"list": page, "detail": detail} {
		if strings.Contains(p, `href="/api/v1/`) {
			t.Errorf("the %s page links to the token API", name)
		}
	}
	resp, body := e.a.get(fmt.Sprintf("/admin/subscribers/%d/export", ann.ID))
	if resp.StatusCode != 200 || !strings.Contains(body, `"email": "ann@example.com"`) && !strings.Contains(body, `"email":"ann@example.com"`) {
		t.Errorf("one person's export with the session = %d:\n%s", resp.StatusCode, body)
	}

	// Without a session: the login page, and no data.
	anon := &adminClient{t: t, base: e.a.base, c: &http.Client{CheckRedirect: e.a.c.CheckRedirect}}
	for _, path := range []string{"/admin/subscribers/export", fmt.Sprintf("/admin/subscribers/%d/export", ann.ID), "/admin/subscribers/import", "/admin/subscribers/new"} {
		resp, body := anon.get(path)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next=") || strings.Contains(body, "example.com") {
			t.Errorf("GET %s without a session = %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// An upload over the limit is refused with a message that says the limit
// and what to do, and imports nothing; one over the 1 MiB of other forms
// but under the limit goes through.
func TestAdminSubscriberImportSizeLimit(t *testing.T) {
	e := newAdminSubEnv(t)
	var big strings.Builder
	big.WriteString("email,name,lists\n")
	// Long lines (a 100-character name, a long local part) reach the size
	// with fewer rows: a 1.2 MB file of short lines took half a minute
	// to import under -race.
	pad := strings.Repeat("x", 40)
	for i := 0; big.Len() < 1200<<10; i++ {
		fmt.Fprintf(&big, "reader%06d.%s@example.com,Reader number %06d %s%s,daily-news\n", i, pad, i, pad, pad[:19])
	}
	if body := e.importReport(big.String(), url.Values{"confirmed": {"on"}}); !strings.Contains(body, `<div class="stat">0</div>Invalid`) || strings.Contains(body, `<div class="stat">0</div>Added`) {
		t.Fatalf("a 1.2 MB file under the limit:\n%s", body)
	}

	e.srv.ImportMaxBytes = 4 << 10
	var over strings.Builder
	over.WriteString("email\n")
	for i := 0; over.Len() < 8<<10; i++ {
		fmt.Fprintf(&over, "late%06d@example.com\n", i)
	}
	resp, body := e.upload(over.String(), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than 4 KB") || !strings.Contains(body, "bulletin import") {
		t.Errorf("oversize upload = %d:\n%s", resp.StatusCode, body)
	}
	if e.byEmail("late000001@example.com") != nil {
		t.Error("the oversize file was imported")
	}
	// No file at all: the form again, saying so.
	resp, body = e.upload("", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a CSV file") {
		t.Errorf("an upload without a file = %d:\n%s", resp.StatusCode, body)
	}
}

// Status badges: each status has its own class and its text, on the list
// and on the detail page.
func TestAdminSubscriberStatusBadges(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	var last int64
	for _, st := range []string{"confirmed", "pending", "unsubscribed", "bounced"} {
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: st + "@example.com", Status: st})
		if err != nil {
			t.Fatal(err)
		}
		last = sub.ID
	}
	_, page := e.a.get("/admin/subscribers")
	for _, st := range []string{"confirmed", "pending", "unsubscribed", "bounced"} {
		if !strings.Contains(page, `<span class="badge status status-`+st+`">`+st+`</span>`) {
			t.Errorf("the list has no %s badge", st)
		}
	}
	if !strings.Contains(page, ".status-bounced{") || !strings.Contains(page, "prefers-color-scheme:dark") {
		t.Error("the badges have no colours, or none for dark mode")
	}
	_, detail := e.a.get(fmt.Sprintf("/admin/subscribers/%d", last))
	if !strings.Contains(detail, `<span class="badge status status-bounced">bounced</span>`) {
		t.Errorf("the detail page has no bounced badge:\n%s", detail)
	}
}
