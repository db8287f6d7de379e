package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// fieldMessage is a message under a field of an admin form: its id
// ("subject-error", "err-title", "feed-url-error") and its text, lines
// split at <br>.
var fieldMessage = regexp.MustCompile(`<p class="error" id="((?:err-)?[a-z0-9_-]+?(?:-error)?)"[^>]*>(.*?)</p>`)

// checkSentences reports each line of the field messages of body that is
// not a sentence, a capital (or a quoted value, "x" is not …) first and a
// full stop last, and fewer messages than the fields in want, each of
// which must have one.
func checkSentences(t *testing.T, what string, resp *http.Response, body string, want ...string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("%s = %d, want 422", what, resp.StatusCode)
	}
	seen := map[string]bool{}
	for _, m := range fieldMessage.FindAllStringSubmatch(body, -1) {
		seen[m[1]] = true
		for _, line := range strings.Split(m[2], "<br>") {
			line = html.UnescapeString(line)
			first, _ := utf8.DecodeRuneInString(line)
			if !unicode.IsUpper(first) && first != '"' || !strings.HasSuffix(line, ".") {
				t.Errorf("%s: %s says %q, not a sentence", what, m[1], line)
			}
		}
	}
	for _, id := range want {
		if !seen[id] {
			t.Errorf("%s: no message with id %q; the field messages are %q", what, id, fieldMessage.FindAllString(body, -1))
		}
	}
}

// TestAdminFieldMessagesAreSentences: every admin form refused for its
// fields says what is wrong with each as a sentence, a capital first and a
// full stop last, as the setup and settings pages do: campaigns (the form
// and the test send's To), lists, subscribers (new and a reader's page),
// suppressions, articles, feeds and webhooks. They showed the API's
// lower-case fragments ("choose at least one list"), which the API's 422
// still gives, unchanged.
func TestAdminFieldMessagesAreSentences(t *testing.T) {
	t.Run("campaigns", func(t *testing.T) {
		_, a, _, token := campaignServer(t)
		a.login("correct horse battery")
		form := url.Values{"csrf": {a.csrfOf("/admin/campaigns/new")}, "action": {"save"}, "subject": {strings.Repeat("s", 300)},
			"body": {"Hello {{ .Nmae }}\n\n<script>x()</script>"}, "send_at": {"2099-01-01T09:00"}, "send_zone": {"Nowhere/Land"}}
		resp, body := a.postBody("/admin/campaigns", form)
		checkSentences(t, "new campaign", resp, body, "subject-error", "body-error", "lists-error", "send_zone-error")
		if strings.Contains(body, "Time zone: ") {
			t.Error("the zone's message still starts “Time zone:”, before a sentence")
		}
		delete(form, "send_zone")
		form.Set("send_at", "soon")
		resp, body = a.postBody("/admin/campaigns", form)
		checkSentences(t, "new campaign with a bad time", resp, body, "send_at-error")

		page, _ := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi","lists":["news"]}`)
		resp, body = a.postBody(page+"/test", url.Values{"csrf": {a.csrfOf(page)}, "to": {""}})
		checkSentences(t, "test send", resp, body, "to-error")

		code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Bridge","body":"Hi","lists":[]}`)
		if fields, _ := got["fields"].(map[string]any); code != http.StatusUnprocessableEntity || fields["lists"] != "choose at least one list" {
			t.Errorf("API create with no list = %d %v, want 422 with its own words", code, got)
		}
	})

	t.Run("lists and subscribers", func(t *testing.T) {
		e := newAdminSubEnv(t)
		form := newListForm(e.csrf, "", "Bad Slug", true)
		form.Set("welcome", "Hi {{ .Nmae }}\n\n<script>x()</script>")
		resp, body := e.a.postBody("/admin/lists", form)
		checkSentences(t, "new list", resp, body, "name-error", "slug-error", "timezone-error", "welcome-error")

		resp, body = e.a.postBody("/admin/subscribers", url.Values{"csrf": {e.csrf}, "email": {"not an address"}})
		checkSentences(t, "new subscriber", resp, body, "email-error", "lists-error", "status-error")

		ann := e.addReader("ann@example.com", "daily-news")
		resp, body = e.a.postBody(fmt.Sprintf("/admin/subscribers/%d", ann.ID), url.Values{"csrf": {e.csrf}, "email": {"not an address"},
			"name": {"Ann"}, "status": {"confirmed"}, "frequency": {"hourly"}})
		checkSentences(t, "a reader's page", resp, body, "email-error", "frequency-error", "lists-error")

		e.srv.Events = events.NewStore(e.db)
		resp, body = e.a.postBody("/admin/suppressions", url.Values{"csrf": {e.a.csrfOf("/admin/suppressions")}, "target": {"robin"}})
		checkSentences(t, "suppression", resp, body, "target-error")

		w := e.api("POST", "/api/v1/subscribers", `{"email":"not an address","frequency":"hourly"}`)
		var got struct{ Fields map[string]string }
		json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != http.StatusUnprocessableEntity || got.Fields["frequency"] != "use daily or weekly" {
			t.Errorf("API create of a bad subscriber = %d %s, want 422 with its own words", w.Code, w.Body)
		}
	})

	t.Run("articles", func(t *testing.T) {
		_, a, _ := adminArticles(t)
		resp, body := a.postBody("/admin/articles", url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {""},
			"url": {"news.example/x"}, "image_width": {"wide"}, "published_at": {"soon"}, "lists": {"news"}})
		checkSentences(t, "new article", resp, body, "err-title", "err-image_width", "err-published_at")
	})

	t.Run("feeds", func(t *testing.T) {
		_, a, _ := newFeedAdmin31(t, false)
		resp, body := a.postBody("/admin/feeds", url.Values{"csrf": {a.csrfOf("/admin/feeds")}, "url": {"not a url"}, "list": {"daily-news"}})
		checkSentences(t, "new feed", resp, body, "feed-url-error")
	})

	t.Run("webhooks", func(t *testing.T) {
		_, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
			s.HookDeps = HookDeps{Hooks: hooks.NewStore(d, hooks.Guard{AllowPrivate: true})}
		})
		a.login("correct horse battery")
		resp, body := a.postBody("/admin/webhooks", url.Values{"csrf": {a.csrfOf("/admin/webhooks")}, "url": {"nope"}})
		checkSentences(t, "new webhook", resp, body, "hook-url-error", "hook-events-error")
	})
}

// asSentence leaves an address, a host or a URL that starts a message as
// it was typed: "News.example" is not the host named.
func TestAsSentenceKeepsAnAddressFirst(t *testing.T) {
	for in, want := range map[string]string{
		"choose at least one list":            "Choose at least one list.",
		"Already one.":                        "Already one.",
		"line 3: take out the <script>":       "Line 3: take out the <script>.",
		"to: give from 1 to 10 addresses":     "To: give from 1 to 10 addresses.",
		"news.example cannot be resolved":     "news.example cannot be resolved.",
		"ed@example.com: no such address":     "ed@example.com: no such address.",
		"https://x.example/ answered 404":     "https://x.example/ answered 404.",
		"is the same for every reader: why?":  "Is the same for every reader: why?",
		"localhost (127.0.0.1) is a loopback": "localhost (127.0.0.1) is a loopback.",
		"":                                    "",
	} {
		if got := asSentence(in); got != want {
			t.Errorf("asSentence(%q) = %q, want %q", in, got, want)
		}
	}
	got := sentences(map[string]string{"body": "line 1: one\nline 3: two"})
	if got["body"] != "Line 1: one.\nLine 3: two." {
		t.Errorf("sentences of two lines = %q, want each a sentence", got["body"])
	}
}
