package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// badWelcome names no personal field on its third line: it would not
// render when a reader confirms.
const badWelcome = "Hello,\n\nHi {{ .Nmae }}"

// welcomeFieldError is what a 422 of the API says of the welcome field.
func welcomeFieldError(t *testing.T, code int, body []byte) string {
	t.Helper()
	var got struct {
		Error  string            `json:"error"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if code != http.StatusUnprocessableEntity || got.Error != "validation" || len(got.Fields) != 1 {
		t.Errorf("answer %d %s, want 422 with the welcome field only", code, body)
	}
	return got.Fields["welcome"]
}

// The API refuses a list whose welcome text would not render, on create
// and patch, naming the line and the problem as a campaign's body error
// does; a text that renders is saved as before. A list whose stored
// welcome text does not render (saved before the check) is refused with
// the reason on the welcome field until it is fixed or emptied.
func TestListAPIRefusesWelcomeThatDoesNotRender(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	const why = "line 3: {{ .Nmae }} names no personal field"

	w := e.api("POST", "/api/v1/lists", `{"slug":"typo","name":"Typo","welcome":"Hello,\n\nHi {{ .Nmae }}"}`)
	if msg := welcomeFieldError(t, w.Code, w.Body.Bytes()); !strings.HasPrefix(msg, why) {
		t.Errorf("create: welcome error %q, want it to start %q", msg, why)
	}
	if _, err := e.store.ListBySlug(ctx, "typo"); err == nil {
		t.Error("the refused create made a list")
	}

	w = e.api("PATCH", "/api/v1/lists/daily-news", `{"welcome":"Hello,\n\nHi {{ .Nmae }}"}`)
	if msg := welcomeFieldError(t, w.Code, w.Body.Bytes()); !strings.HasPrefix(msg, why) {
		t.Errorf("patch: welcome error %q, want it to start %q", msg, why)
	}
	if l, err := e.store.ListBySlug(ctx, "daily-news"); err != nil || l.Welcome != "" {
		t.Errorf("after the refused patch the welcome is %q (%v), want it unchanged", l.Welcome, err)
	}

	good := `Hi {{ .Name | default "reader" }}, write {{ "{{" }} to us at {{ .Email }}.`
	body, _ := json.Marshal(map[string]string{"welcome": good})
	if w := e.api("PATCH", "/api/v1/lists/daily-news", string(body)); w.Code != http.StatusOK {
		t.Errorf("patch with a welcome that renders = %d %s, want 200", w.Code, w.Body)
	}
	if l, _ := e.store.ListBySlug(ctx, "daily-news"); l.Welcome != good {
		t.Errorf("stored welcome %q, want %q", l.Welcome, good)
	}

	// A welcome stored broken, before saving checked it.
	if _, err := e.db.Write.Exec(`UPDATE lists SET welcome = ? WHERE slug = 'weekend-culture'`, badWelcome); err != nil {
		t.Fatal(err)
	}
	w = e.api("PATCH", "/api/v1/lists/weekend-culture", `{"name":"Weekend"}`)
	if msg := welcomeFieldError(t, w.Code, w.Body.Bytes()); !strings.Contains(msg, "saved earlier does not render") || !strings.Contains(msg, why) {
		t.Errorf("patch of another field: welcome error %q, want it to say the saved text does not render and why", msg)
	}
	if l, _ := e.store.ListBySlug(ctx, "weekend-culture"); l.Name != "Weekend Culture" {
		t.Errorf("the refused patch renamed the list to %q", l.Name)
	}
	if w := e.api("PATCH", "/api/v1/lists/weekend-culture", `{"name":"Weekend","welcome":""}`); w.Code != http.StatusOK {
		t.Errorf("patch emptying the broken welcome = %d %s, want 200", w.Code, w.Body)
	}
	if l, _ := e.store.ListBySlug(ctx, "weekend-culture"); l.Name != "Weekend" || l.Welcome != "" {
		t.Errorf("after the fix: %q with welcome %q", l.Name, l.Welcome)
	}
}

// The list forms re-show a welcome text that would not render with the
// reason beside the welcome field and the text as typed; a stored broken
// text is marked on the edit page before any save, and a save of other
// fields says why it is refused.
func TestAdminListFormRefusesWelcomeThatDoesNotRender(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	const why = "line 3: {{ .Nmae }} names no personal field"
	const shown = "Line 3: {{ .Nmae }} names no personal field" // why, starting a sentence
	// welcomeError finds the error just after the welcome textarea, with
	// the text kept in it.
	welcomeError := func(page, text string) string {
		t.Helper()
		page = html.UnescapeString(page)
		i := strings.Index(page, `<textarea id="welcome" name="welcome" maxlength="50000" aria-invalid="true" aria-describedby="welcome-error">`+text+`</textarea>`)
		if i < 0 {
			t.Errorf("the welcome field is not marked invalid with the text %q kept:\n%s", text, page)
			return ""
		}
		rest := page[i:]
		start := strings.Index(rest, `<p class="error" id="welcome-error">`)
		end := strings.Index(rest, `</p>`)
		if start < 0 || end < start {
			t.Errorf("no error beside the welcome field:\n%s", rest)
			return ""
		}
		return rest[start+len(`<p class="error" id="welcome-error">`) : end]
	}
	form := url.Values{"csrf": {e.csrf}, "slug": {"typo"}, "name": {"Typo"}, "description": {""}, "public": {"on"},
		"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"},
		"from": {""}, "reply_to": {""}, "welcome": {badWelcome}}

	resp, body := e.a.postBody("/admin/lists", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("create = %d, want 422", resp.StatusCode)
	}
	if msg := welcomeError(body, badWelcome); !strings.HasPrefix(msg, shown) {
		t.Errorf("create: error beside welcome %q, want it to start %q", msg, shown)
	}
	if _, err := e.store.ListBySlug(ctx, "typo"); err == nil {
		t.Error("the refused form made a list")
	}

	form.Set("slug", "daily-news")
	form.Set("name", "Daily News")
	resp, body = e.a.postBody("/admin/lists/daily-news", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("edit = %d, want 422", resp.StatusCode)
	}
	if msg := welcomeError(body, badWelcome); !strings.HasPrefix(msg, shown) {
		t.Errorf("edit: error beside welcome %q, want it to start %q", msg, shown)
	}
	if l, _ := e.store.ListBySlug(ctx, "daily-news"); l.Welcome != "" {
		t.Errorf("the refused edit stored the welcome %q", l.Welcome)
	}

	// A welcome stored broken, before saving checked it.
	if _, err := e.db.Write.Exec(`UPDATE lists SET welcome = ? WHERE slug = 'weekend-culture'`, badWelcome); err != nil {
		t.Fatal(err)
	}
	resp, body = e.a.get("/admin/lists/weekend-culture")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("edit page = %d, want 200", resp.StatusCode)
	}
	if msg := welcomeError(body, badWelcome); !strings.Contains(msg, "does not render") || !strings.Contains(msg, why) {
		t.Errorf("edit page: error beside welcome %q, want it to say the text does not render and why", msg)
	}
	form.Set("slug", "weekend-culture")
	form.Set("name", "Weekend")
	resp, body = e.a.postBody("/admin/lists/weekend-culture", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("save of a new name = %d, want 422", resp.StatusCode)
	}
	if msg := welcomeError(body, badWelcome); !strings.Contains(msg, "saved earlier does not render") || !strings.Contains(msg, why) {
		t.Errorf("save of a new name: error beside welcome %q, want it to say the saved text does not render and why", msg)
	}
	if !strings.Contains(body, `value="Weekend"`) {
		t.Error("the refused form lost the name typed")
	}
	fixed := "Hi {{ .Name }}"
	form.Set("welcome", fixed)
	if resp := e.a.post("/admin/lists/weekend-culture", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("save with the welcome fixed = %d, want 303", resp.StatusCode)
	}
	if l, _ := e.store.ListBySlug(ctx, "weekend-culture"); l.Name != "Weekend" || l.Welcome != fixed {
		t.Errorf("after the fix: %q with welcome %q", l.Name, l.Welcome)
	}
	if _, body := e.a.get("/admin/lists/weekend-culture"); strings.Contains(body, `aria-invalid="true"`) {
		t.Error("the edit page marks a welcome that renders")
	}
}

// A welcome text whose link has a relative URL is refused as a campaign's
// body is: the mail has no page to resolve it against.
func TestListAPIRefusesWelcomeWithARelativeLink(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.api("PATCH", "/api/v1/lists/daily-news", `{"welcome":"Welcome!\n\nRead [our rules](/rules)."}`)
	const want = `line 3: the link "/rules" is not a full URL`
	if msg := welcomeFieldError(t, w.Code, w.Body.Bytes()); !strings.HasPrefix(msg, want) {
		t.Errorf("welcome error %q, want it to start %q", msg, want)
	}
	w = e.api("PATCH", "/api/v1/lists/daily-news", `{"welcome":"Welcome!\n\nRead [our rules](https://news.example/rules)."}`)
	if w.Code != http.StatusOK {
		t.Errorf("a full URL: %d %s", w.Code, w.Body)
	}
}
