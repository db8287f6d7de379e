package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
	"github.com/bulletinhq/bulletin/templates"
)

// A broken unsubscribe or preferences link gets a page of its own, with
// the 400 of any bad link: it says the link is not valid and why that
// happens and sends the reader to the link in a newer mail's footer. Both
// link the signup form, where signing up again with their address mails a
// subscribed reader fresh links and changes nothing. It names no
// address, and a link that names a reader reads the same as one that
// names nobody.
func TestUI23BadUnsubscribeAndPreferencesLinks(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	const form = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		purpose, path, heading string
		signup                 bool
	}{
		{subscribers.TokenUnsubscribe, "/unsubscribe/", "This unsubscribe link does not work", true},
		{subscribers.TokenPreferences, "/preferences/", "This preferences link does not work", true},
	} {
		good := e.signer.Sign(c.purpose, ann.ID, 0)
		nobody := e.signer.Sign(c.purpose, ann.ID+1000, 0)
		var first string
		for _, tok := range []string{good[:len(good)-3], good + "x", nobody[:len(nobody)-3], "not-a-token"} {
			for _, method := range []string{"GET", "POST"} {
				w := e.do(method, c.path+tok, form, "List-Unsubscribe=One-Click")
				body := w.Body.String()
				for _, want := range []string{
					"<h1>" + c.heading + "</h1>",
					"The link is not valid",
					"a mail program cut it short or changed it",
					"every mail has one",
					"footer",
				} {
					if !strings.Contains(body, want) {
						t.Errorf("%s %s%s: no %q:\n%s", method, c.path, tok, want, body)
					}
				}
				if got := strings.Contains(body, `<a href="/subscribe">signup form</a>`); got != c.signup {
					t.Errorf("%s %s%s: links the signup form %v, want %v:\n%s", method, c.path, tok, got, c.signup, body)
				}
				if w.Code != http.StatusBadRequest || strings.Contains(body, "ann@example.com") {
					t.Errorf("%s %s%s = %d, want 400 naming no address:\n%s", method, c.path, tok, w.Code, body)
				}
				if first == "" {
					first = body
				} else if body != first {
					t.Errorf("%s %s%s differs from another bad link's page:\n%s\n---\n%s", method, c.path, tok, body, first)
				}
			}
		}
		if got, _ := e.store.Get(ctx, ann.ID); got.Status != subscribers.StatusConfirmed {
			t.Fatalf("a bad link changed the reader: %s", got.Status)
		}
	}
	// A preferences link of a reader erased since, signed as it should
	// be, says the address of the link was erased (410), naming none; see
	// TestReader36ErasedReadersLinksSayTheAddressIsGone.
	tok := e.signer.Sign(subscribers.TokenPreferences, ann.ID, 0)
	if err := e.store.Erase(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	w := e.do("GET", "/preferences/"+tok, "", "")
	if body := w.Body.String(); w.Code != http.StatusGone || !strings.Contains(body, "The address of this link was erased") || strings.Contains(body, "ann@example.com") {
		t.Errorf("preferences of an erased reader = %d:\n%s", w.Code, w.Body)
	}
}

// A domain the suppression API cannot take is answered with what to fix,
// as far as its form shows it: a URL's scheme, path or port, spaces, an @.
func TestUI23SuppressionAPIDomainSaysWhatToFix(t *testing.T) {
	e := newFeedbackEnv(t)
	for _, c := range []struct{ domain, want string }{
		{"https://news.example.com/issues/4", `give just the domain, like news.example.com: without "https://" and the path`},
		{"http://example.org", `give just the domain, like example.org: without "http://"`},
		{"example.org/unsubscribe", "give just the domain, like example.org: without the path"},
		{"mail.example.org:25", "give just the domain, like mail.example.org: without the port"},
		{"example .org", "give one domain, like example.com, without spaces"},
		{"robin@example.org", "give just the domain, like example.com: the part after the @"},
		{"robin", "enter a domain like example.com"},
	} {
		body, _ := json.Marshal(map[string]string{"domain": c.domain})
		status, answer := e.api("POST", "/api/v1/suppressions", string(body))
		var got struct {
			Fields map[string]string `json:"fields"`
		}
		json.Unmarshal([]byte(answer), &got)
		if status != http.StatusUnprocessableEntity || got.Fields["domain"] != c.want {
			t.Errorf("domain %q = %d %s, want 422 with %q", c.domain, status, answer, c.want)
		}
	}
	if status, answer := e.api("POST", "/api/v1/suppressions", `{"domain":"example.org."}`); status != http.StatusCreated || !strings.Contains(answer, `"domain":"example.org"`) {
		t.Errorf("a good domain = %d %s", status, answer)
	}
}

var ui23PhoneFrame = regexp.MustCompile(`<figcaption class="muted">(.*?)</figcaption><iframe sandbox title="Preview at phone width" srcdoc="[^"]*" style="([^"]*)"`)

// The phone preview is as wide as its label says, 390 px for the mail
// inside its border, where that fits; on a narrower phone it is as wide
// as the screen, and says so, rather than running off it (session 31:
// a frame that scrolled sideways cut the mail off on a 390 px phone).
// So are the campaign page's and the editor's.
func TestUI23PhonePreviewIsTheWidthItSays(t *testing.T) {
	_, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}}
	resp := a.post("/admin/campaigns", form)
	page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	_, campaignPage := a.get(page)
	form.Set("action", "preview")
	_, editorPage := a.postBody(page+"/edit", form)
	for name, body := range map[string]string{"campaign page": campaignPage, "editor preview": editorPage} {
		m := ui23PhoneFrame.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%s has no phone preview:\n%s", name, body)
			continue
		}
		label, style := m[1], m[2]
		if label != `Phone · <span class="wide">390 px</span><span class="narrow">as wide as this screen</span>` || !strings.Contains(style, "width:390px;max-width:calc(100% - 2px)") || !strings.Contains(style, "box-sizing:content-box") {
			t.Errorf("%s: phone frame %q with style %q, want 390 px wide inside its border, no wider than the screen", name, label, style)
		}
		if !strings.Contains(body, `<figure class="phone" style="margin:0;max-width:100%"><figcaption class="muted">Phone · `) {
			t.Errorf("%s: the phone frame's figure is not kept within the screen:\n%s", name, body)
		}
	}
}

// A list's slug in the lists table breaks only where a word does (at its
// hyphens) on a wide screen, and anywhere only in the phone layout, where
// the table is stacked and a long slug must not run off the screen.
func TestUI23ListSlugsDoNotBreakMidWord(t *testing.T) {
	s, a := newAdminServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "harbour-sport-and-weekend-culture", Name: "Harbour Sport", Description: strings.Repeat("A long description of the list. ", 20)}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, body := a.get("/admin/lists")
	// Over 24 characters it is also marked long, which may wrap on a
	// wide screen too (a 58-character slug pushed the table out of its
	// card); a shorter one stays whole.
	if !strings.Contains(body, `<td data-label="Slug"><code class="slug long">harbour-sport-and-weekend-culture</code></td>`) {
		t.Errorf("the slug is not marked as one, and long:\n%s", body)
	}
	css := body[:strings.Index(body, "</style>")]
	phone := strings.Index(css, "@media (max-width:640px){header")
	if wide := strings.Index(css, "code.slug{overflow-wrap:normal}"); wide < 0 || wide > phone {
		t.Errorf("no rule keeps slugs whole on a wide screen:\n%s", css)
	}
	if !strings.Contains(css[phone:], "code.slug{overflow-wrap:anywhere}") {
		t.Errorf("no rule lets a long slug wrap in the phone layout:\n%s", css)
	}
}

// The tokens page writes its dates as the other admin pages do, with the
// date helper ("2 December 2026"), the last use with its time of day;
// the exact time is in the <time> element for machines.
func TestUI23TokensShowHumanDates(t *testing.T) {
	s, a := newAdminServer(t)
	secret, err := s.Admins.CreateToken(context.Background(), "shop-sync")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", a.base+"/api/v1/articles", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the token on the API: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	tokens, err := s.Admins.ListTokens(context.Background())
	if err != nil || len(tokens) != 1 || tokens[0].LastUsedAt.IsZero() {
		t.Fatalf("tokens %+v, %v; want one, used", tokens, err)
	}
	tk := tokens[0]
	date := templates.Funcs["date"].(func(time.Time) string) // the other admin pages' helper
	a.login("correct horse battery")
	_, body := a.get("/admin/tokens")
	created := `<time datetime="` + tk.CreatedAt.UTC().Format("2006-01-02T15:04Z") + `">` + date(tk.CreatedAt) + `</time>`
	used := `<time datetime="` + tk.LastUsedAt.UTC().Format("2006-01-02T15:04Z") + `">` + date(tk.LastUsedAt) + tk.LastUsedAt.UTC().Format(", 15:04") + ` UTC</time>`
	if !strings.Contains(body, created) || !strings.Contains(body, used) {
		t.Errorf("the tokens page lacks %s and %s:\n%s", created, used, body)
	}
	if m := regexp.MustCompile(`>[^<]*\d{4}-\d\d-\d\d[^<]*<`).FindString(body); m != "" {
		t.Errorf("the tokens page shows an ISO date: %s", m)
	}
}
