package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestAdminPagesForbidFraming checks that every admin answer, the login
// page and the refusals included, carries the policy.
func TestAdminPagesForbidFraming(t *testing.T) {
	_, a := newAdminServer(t)
	check := func(what string, resp *http.Response) {
		t.Helper()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"frame-ancestors 'none'", "default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, want)
			}
		}
		if script := directive(csp, "script-src"); script == "" || strings.Contains(script, "'unsafe-inline'") {
			t.Errorf("%s: script-src %q, want one that names what may run", what, script)
		}
		if resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY for older browsers", what, resp.Header.Get("X-Frame-Options"))
		}
	}
	resp, _ := a.get("/admin/login")
	check("login page", resp)
	resp, _ = a.get("/admin/lists")
	check("redirect to the login page", resp)
	check("wrong password", a.login("wrong password"))
	a.login("correct horse battery")
	for _, path := range []string{"/admin", "/admin/lists", "/admin/outbox", "/admin/queues", "/admin/articles", "/admin/subscribers"} {
		resp, _ := a.get(path)
		check(path, resp)
	}
	check("refused post", a.post("/admin/logout", url.Values{}))
}

// TestAdminCSPAllowsTheTemplatesScripts renders the admin pages that have
// inline scripts and event handlers and checks that the policy lets each
// of them run: a template whose script changes must change its hash too.
func TestAdminCSPAllowsTheTemplatesScripts(t *testing.T) {
	s, a, _, _ := campaignServer(t)
	ctx := context.Background()
	sub, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "bo@example.com", Status: "confirmed"})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, body := a.get("/admin/campaigns/new")
	csrf := csrfField.FindStringSubmatch(body)[1]
	// Scheduled, for its page's Cancel: a draft has nothing to cancel.
	resp := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}, "send_at": {"2099-01-01T09:00"}})
	// Its page comes with a banner, which needs no script.
	pages := []string{resp.Header.Get("Location"), "/admin/subscribers/" + strconv.FormatInt(sub.ID, 10)}
	if key, _, _ := flashSet(resp); key != "campaign-scheduled" {
		t.Fatalf("the saved campaign's page is %s with the banner %q, want one with a banner", pages[0], key)
	}
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	handlers := regexp.MustCompile(`\son[a-z]+="([^"]*)"`)
	found := 0
	for i, page := range pages {
		resp, body := a.get(page)
		if i == 0 && bannerOf(body) == "" {
			t.Errorf("%s shows no banner", page)
		}
		policy := directive(resp.Header.Get("Content-Security-Policy"), "script-src")
		allowed := " " + policy + " "
		for _, m := range scripts.FindAllStringSubmatch(body, -1) {
			found++
			if h := cspHash(m[1]); !strings.Contains(allowed, " '"+h+"' ") {
				t.Errorf("%s: its inline script (%s) is not in script-src %q", page, h, policy)
			}
		}
		for _, m := range handlers.FindAllStringSubmatch(body, -1) {
			found++
			h := cspHash(html.UnescapeString(m[1]))
			if !strings.Contains(allowed, " '"+h+"' ") || !strings.Contains(allowed, " 'unsafe-hashes' ") {
				t.Errorf("%s: handler %q (%s) may not run under script-src %q", page, m[1], h, policy)
			}
		}
	}
	if found < 5 {
		t.Errorf("found %d inline scripts and handlers, want the layout's menu script on both pages, the campaign page's script, its cancel confirmation and the erase one", found)
	}
}

func cspHash(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// directive returns the value of one directive of a policy.
func directive(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(d), name+" "); ok {
			return rest
		}
	}
	return ""
}
