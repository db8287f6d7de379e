package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// uploadSuppressions posts file to the import form.
func (e *feedbackEnv) uploadSuppressions(csrf, file string) (int, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", "blocked.csv")
	io.WriteString(fw, file)
	mw.Close()
	resp, err := e.a.c.Post(e.a.base+"/admin/suppressions/import", mw.FormDataContentType(), &body)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The admin page adds an address or a domain with a note, searches,
// lifts behind a reason and a confirmation, exports CSV with formulas
// defused and imports it back; every form needs the CSRF field.
func TestAdminSuppressions(t *testing.T) {
	e := newFeedbackEnv(t)
	ctx := context.Background()
	a := e.a
	a.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/suppressions")

	if resp := a.post("/admin/suppressions", url.Values{"target": {"x@y.test"}, "note": {"no csrf"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("add without CSRF = %d, want 403", resp.StatusCode)
	}
	resp := a.post("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"Robin@Tidewater.test"}, "note": {"asked by phone"}})
	checkFlashRedirect(t, "add", resp, "/admin/suppressions?q=robin%40tidewater.test", "suppression-added")
	a.post("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"spamtrap.test"}, "note": {"=HYPERLINK(\"x\")"}})
	resp, body := a.postBody("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"not an address@"}, "note": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="error"`) || !strings.Contains(body, `value="not an address@"`) {
		t.Errorf("bad address = %d, want 422 with the error and the value kept:\n%s", resp.StatusCode, body)
	}
	for _, target := range []string{"robin@tidewater.test", "spamtrap.test"} {
		if ok, _ := e.s.Events.Suppressed(ctx, "someone@"+target[strings.Index(target, "@")+1:]); target == "spamtrap.test" && !ok {
			t.Errorf("%s not suppressed", target)
		}
	}
	_, page := a.get("/admin/suppressions?q=tidewater")
	if !strings.Contains(page, "robin@tidewater.test") || strings.Contains(page, "<code>spamtrap.test") || !strings.Contains(page, "asked by phone") {
		t.Errorf("search for tidewater:\n%s", page)
	}
	if !strings.Contains(page, `class="stack"`) || !strings.Contains(page, `data-label=`) {
		t.Error("the list is no stacking table on a phone")
	}

	// Lifting needs the confirmation and a reason.
	resp, body = a.postBody("/admin/suppressions/lift", url.Values{"csrf": {csrf}, "target": {"robin@tidewater.test"}, "reason": {"back on board"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Tick the box") {
		t.Errorf("lift without confirm = %d", resp.StatusCode)
	}
	resp, body = a.postBody("/admin/suppressions/lift", url.Values{"csrf": {csrf}, "target": {"robin@tidewater.test"}, "confirm": {"yes"}, "reason": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Say why") {
		t.Errorf("lift without reason = %d", resp.StatusCode)
	}
	if resp := a.post("/admin/suppressions/lift", url.Values{"target": {"robin@tidewater.test"}, "confirm": {"yes"}, "reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("lift without CSRF = %d, want 403", resp.StatusCode)
	}
	if ok, _ := e.s.Events.Suppressed(ctx, "robin@tidewater.test"); !ok {
		t.Fatal("a refused lift lifted")
	}
	resp = a.post("/admin/suppressions/lift", url.Values{"csrf": {csrf}, "target": {"robin@tidewater.test"}, "confirm": {"yes"}, "reason": {"back on board"}})
	checkFlashRedirect(t, "lift", resp, "/admin/suppressions", "suppression-lifted")
	if ok, _ := e.s.Events.Suppressed(ctx, "robin@tidewater.test"); ok {
		t.Error("lifted address is still suppressed")
	}
	if log := e.log.String(); !strings.Contains(log, `"reason":"back on board"`) || !strings.Contains(log, `"by":"admin editor@example.com"`) {
		t.Errorf("lift not logged with reason and admin:\n%s", log)
	}

	// Import: a header, addresses, a domain, a bad line and a duplicate.
	status, body := e.uploadSuppressions(csrf, "email,name\nkai@tidewater.test,Kai\n=cmd|x,evil\nspamtrap.test,\nnew.example\n")
	if status != http.StatusOK || !strings.Contains(body, "2 added, 1 already on the list") || !strings.Contains(body, "line 3:") {
		t.Errorf("import = %d:\n%s", status, body)
	}
	if status, _ := e.uploadSuppressions("", "a@b.test\n"); status != http.StatusForbidden {
		t.Errorf("import without CSRF = %d, want 403", status)
	}

	// Export: the whole list, formula cells defused, reads back.
	resp, err := a.c.Get(a.base + "/admin/suppressions/export")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("export = %d %s", resp.StatusCode, ct)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r[0]+"|"+r[1]+"|"+r[2]+"|"+r[3])
	}
	want := []string{"target|reason|source|note", "kai@tidewater.test|manual|import|", "new.example|manual|import|", `spamtrap.test|manual|admin|'=HYPERLINK("x")`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	// The export imports back: nothing new, the note unguarded again.
	if status, body := e.uploadSuppressions(csrf, string(raw)); status != 200 || !strings.Contains(body, "0 added, 3 already on the list") {
		t.Errorf("re-import = %d:\n%s", status, body)
	}
	if _, page := a.get("/admin"); !strings.Contains(page, `href="/admin/suppressions"`) || !strings.Contains(page, `href="/admin/events"`) {
		t.Error("the nav lacks Suppressions or Events")
	}
}
