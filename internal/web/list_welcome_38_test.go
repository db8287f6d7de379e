package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// threeFaults holds a welcome text's three kinds of fault, one a kind: a
// {{ … }} that is no personal field, an element mail cannot show and a
// link that is not a full URL.
const threeFaults = "Hi {{ .Nmae }},\n\n<script>x()</script>\n\nRead [our rules](/rules)."

// threeFaultsWhy starts each line of threeFaults' error, in its order, in
// the API; threeFaultsShown on the list forms, where each is a sentence.
var (
	threeFaultsWhy   = []string{"line 1: {{ .Nmae }} names no personal field", "line 3: take out the <script>", `line 5: the link "/rules" is not a full URL`}
	threeFaultsShown = []string{"Line 1: {{ .Nmae }} names no personal field", "Line 3: take out the <script>", `Line 5: the link "/rules" is not a full URL`}
)

// checkFaultLines reports each of want that does not start its line of
// got, or lines more or fewer.
func checkFaultLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d faults %q, want %d", what, len(got), got, len(want))
		return
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("%s: fault %d is %q, want it to start %q", what, i+1, got[i], w)
		}
	}
}

// A save of a list through the API names every fault of its welcome text
// at once, one a line as a campaign's body does, its length too; it named
// the first, and the editor learnt of the next one save later.
func TestListAPINamesEveryWelcomeFault_38(t *testing.T) {
	e := newSubEnv(t, 0)
	body, _ := json.Marshal(map[string]string{"welcome": threeFaults})
	w := e.api("PATCH", "/api/v1/lists/daily-news", string(body))
	checkFaultLines(t, "patch", strings.Split(welcomeFieldError(t, w.Code, w.Body.Bytes()), "\n"), threeFaultsWhy...)

	body, _ = json.Marshal(map[string]string{"slug": "typos", "name": "Typos", "welcome": threeFaults + "\n\n" + strings.Repeat(strings.Repeat("x", 98)+"\n\n", 500)})
	w = e.api("POST", "/api/v1/lists", string(body))
	checkFaultLines(t, "create of a long text", strings.Split(welcomeFieldError(t, w.Code, w.Body.Bytes()), "\n"),
		append([]string{"keep the welcome mail to at most 50,000 characters"}, threeFaultsWhy...)...)
	if l, err := e.store.ListBySlug(context.Background(), "daily-news"); err != nil || l.Welcome != "" {
		t.Errorf("after the refused patch the welcome is %q (%v), want it unchanged", l.Welcome, err)
	}
}

// welcomeFaultsOf is the welcome field's error on a list page, a fault a
// line, after checking that the field points to it for screen readers.
func welcomeFaultsOf(t *testing.T, page string) []string {
	t.Helper()
	if !regexp.MustCompile(`<textarea id="welcome"[^>]* aria-invalid="true" aria-describedby="welcome-error">`).MatchString(page) {
		t.Errorf("the welcome field is not marked invalid and tied to its error:\n%s", page)
	}
	m := regexp.MustCompile(`(?s)<p class="error" id="welcome-error">(.*?)</p>`).FindStringSubmatch(page)
	if m == nil {
		return nil
	}
	return strings.Split(html.UnescapeString(m[1]), "<br>")
}

// checkDescribed reports an aria-describedby of page that names no element
// of it: a screen reader would read nothing for the field.
func checkDescribed(t *testing.T, page string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`aria-describedby="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, ` id="`+m[1]+`"`) {
			t.Errorf("aria-describedby=%q names no element of the page", m[1])
		}
	}
}

// The list's edit form names every fault of the welcome text at once, each
// on its line, beside the field and tied to it, as every other field's
// error is tied to its field; a welcome stored before the checks is marked
// with every fault that stops a save, and not with what only a new text
// is refused for.
func TestAdminListFormNamesEveryWelcomeFault_38(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	form := url.Values{"csrf": {e.csrf}, "slug": {"daily-news"}, "name": {"Daily News"}, "description": {""}, "public": {"on"},
		"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"Mars/Olympus_Mons"},
		"from": {"not an address"}, "reply_to": {""}, "welcome": {threeFaults}}
	resp, body := e.a.postBody("/admin/lists/daily-news", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("edit = %d, want 422", resp.StatusCode)
	}
	checkFaultLines(t, "edit", welcomeFaultsOf(t, body), threeFaultsShown...)
	for _, field := range []string{"timezone", "from"} {
		tied := regexp.MustCompile(`<input id="` + field + `"[^>]* aria-invalid="true" aria-describedby="` + field + `-error">\s*(<datalist[^>]*>.*?</datalist>\s*)?<p class="error" id="` + field + `-error">`)
		if !tied.MatchString(body) {
			t.Errorf("the %s field is not tied to its error:\n%s", field, body)
		}
	}
	checkDescribed(t, body)
	// The new-list form shares the fields.
	form.Set("slug", "typos")
	resp, body = e.a.postBody("/admin/lists", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("create = %d, want 422", resp.StatusCode)
	}
	checkFaultLines(t, "create", welcomeFaultsOf(t, body), threeFaultsShown...)
	checkDescribed(t, body)
	if l, _ := e.store.ListBySlug(ctx, "daily-news"); l.Welcome != "" {
		t.Errorf("the refused edit stored the welcome %q", l.Welcome)
	}

	// Stored before the checks: a relative link alone sends as it is and
	// stops no save, so only the field's fault is marked.
	stored := "Hi {{ .Nmae }},\n\nRead [our rules](/rules)."
	if _, err := e.db.Write.Exec(`UPDATE lists SET welcome = ? WHERE slug = 'weekend-culture'`, stored); err != nil {
		t.Fatal(err)
	}
	_, body = e.a.get("/admin/lists/weekend-culture")
	got := welcomeFaultsOf(t, body)
	checkFaultLines(t, "edit page of a stored text", got, "This welcome mail does not render")
	if s := strings.Join(got, "\n"); !strings.Contains(s, threeFaultsWhy[0]) || strings.Contains(s, "/rules") {
		t.Errorf("edit page of a stored text: %q, want the field's fault and not the link's", s)
	}
	form.Set("slug", "weekend-culture")
	form.Set("name", "Weekend")
	form.Set("timezone", "UTC")
	form.Set("from", "")
	form.Set("welcome", stored)
	_, body = e.a.postBody("/admin/lists/weekend-culture", form)
	got = welcomeFaultsOf(t, body)
	checkFaultLines(t, "save of a stored text", got, "The welcome mail saved earlier does not render")
	if s := strings.Join(got, "\n"); !strings.Contains(s, threeFaultsWhy[0]) || strings.Contains(s, "/rules") {
		t.Errorf("save of a stored text: %q, want the field's fault and not the link's", s)
	}
	if _, err := e.db.Write.Exec(`UPDATE lists SET welcome = ? WHERE slug = 'weekend-culture'`, "Read [our rules](/rules)."); err != nil {
		t.Fatal(err)
	}
	if _, body := e.a.get("/admin/lists/weekend-culture"); strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("the edit page marks a stored welcome that sends as it is:\n%s", body)
	}
	form.Set("welcome", "Read [our rules](/rules).")
	if resp := e.a.post("/admin/lists/weekend-culture", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("save of the stored text with a relative link = %d, want 303", resp.StatusCode)
	}
}

// The delete form's box, unticked, is tied to its error.
func TestAdminListDeleteConfirmTied_38(t *testing.T) {
	e := newAdminSubEnv(t)
	resp, body := e.a.postBody("/admin/lists/daily-news/delete", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("delete without the box = %d, want 422", resp.StatusCode)
	}
	if !regexp.MustCompile(`<input id="confirm" type="checkbox" name="confirm"[^>]* aria-invalid="true" aria-describedby="confirm-error">`).MatchString(body) ||
		!strings.Contains(body, `<p class="error" id="confirm-error">`) {
		t.Errorf("the unticked box is not tied to its error:\n%s", body)
	}
	checkDescribed(t, body)
}
