package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// The site's home page is where every mail's masthead leads when the
// publisher has no website: a page of the publication, in its layout,
// with its name and logo, that leads to the signup form and tells a
// reader who is subscribed already where their own links are. It is no
// redirect to the signup form, which would read as "you are not
// subscribed". The pages of broken reader links, on the same server, are
// checked by checkBadReaderLinks.
func TestHomePageShowsThePublication(t *testing.T) {
	_, a := newSettingsServer(t)
	saveLogo(t, a)
	t.Run("bad reader links", func(t *testing.T) { checkBadReaderLinks(t, a) })

	resp, body := a.get("/")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %s, want 200 and a page:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != pageCSP {
		t.Errorf("Content-Security-Policy %q, want the public pages'", csp)
	}
	for _, want := range []string{
		"<title>Home · Quayside Courier</title>",
		"A newsletter by email.",
		`<a class="button" href="/subscribe">Subscribe</a>`,
		"Every mail from Quayside Courier has a link to your preferences and one to unsubscribe",
		`<footer class="muted small">Powered by Bulletin</footer>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %q:\n%s", want, body)
		}
	}
	// The masthead, with the logo leading to the website, is the page's
	// heading (TestHomePageNamesThePublicationOnce).
	masthead := regexp.MustCompile(`<header class="masthead"><h1><a href="https://quayside.example"><img src="/media/logo-[0-9a-f]{16}\.png" alt="Quayside Courier" width="240" height="40"></a></h1></header>`)
	if !masthead.MatchString(body) {
		t.Errorf("GET / shows no masthead with the logo as its heading:\n%s", body)
	}
	// This server has no archive: the page does not link to one.
	if strings.Contains(body, `href="/archive"`) {
		t.Errorf("GET / links to an archive that is not served:\n%s", body)
	}
}

// The home page links to the archive of past issues only when the
// archive is served, as the 404 page does.
func TestHomePageLinksTheArchiveOnlyWhenServed(t *testing.T) {
	e := newSubEnv(t, 0) // no Archiver: /archive is not served
	const archive = `<a href="/archive">Read past issues in the archive</a>`
	w := e.do("GET", "/", "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `href="/subscribe"`) {
		t.Fatalf("GET / without an archive = %d, want 200 with the signup link:\n%s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), `href="/archive"`) {
		t.Errorf("GET / links to an archive that is not served:\n%s", w.Body)
	}

	e.srv.Archive = campaigns.NewStore(e.db)
	e.h = e.srv.Handler()
	if w := e.do("GET", "/archive", "", ""); w.Code != http.StatusOK {
		t.Fatalf("GET /archive = %d, want it served", w.Code)
	}
	w = e.do("GET", "/", "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), archive) {
		t.Errorf("GET / with the archive served = %d, want 200 with %q:\n%s", w.Code, archive, w.Body)
	}
}

// HEAD / answers as GET / does, with an empty body: a link checker or an
// uptime monitor gets the page's status and headers, not a redirect.
func TestHomePageAnswersHEAD(t *testing.T) {
	_, a, _ := fullServer(t)
	get, getBody := send(t, a, "GET", "/", nil, nil)
	head, headBody := send(t, a, "HEAD", "/", nil, nil)
	if get.StatusCode != http.StatusOK || head.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, HEAD / = %d, want 200 both", get.StatusCode, head.StatusCode)
	}
	for _, h := range []string{"Content-Type", "Content-Security-Policy", "Cache-Control", "X-Content-Type-Options"} {
		if head.Header.Get(h) != get.Header.Get(h) {
			t.Errorf("HEAD / %s = %q, GET / %s = %q", h, head.Header.Get(h), h, get.Header.Get(h))
		}
	}
	if headBody != "" {
		t.Errorf("HEAD / has a body:\n%s", headBody)
	}
	if !strings.Contains(getBody, `<a href="/archive">Read past issues in the archive</a>`) {
		t.Errorf("GET / on the full server does not link to its archive:\n%s", getBody)
	}
}

// checkBadReaderLinks: a reader whose unsubscribe link is broken wants
// out, so its page tells them where a working link is, how to get fresh
// links mailed (signing up again with their address mails a subscribed
// reader their own links, and changes nothing), and how to reach the
// publisher when the publication has a website. The broken preferences
// link's page says the same, and offers the signup form to join another
// list. a is a server whose settings are
// goodSettings: TestHomePageShowsThePublication's, as its settings and
// login cost seconds under -race.
func checkBadReaderLinks(t *testing.T, a *adminClient) {
	t.Helper()
	for _, c := range []struct {
		path    string
		want    []string
		without []string
	}{
		{"/unsubscribe/not-a-token", []string{
			"use the unsubscribe link in a newer mail from Quayside Courier",
			"a link to your preferences beside it, to leave just one list",
			"Unsubscribe button beside the sender's name",
			`Ask Quayside Courier to take your address off, through <a href="https://quayside.example">their website</a>.`,
			`Sign up again on the <a href="/subscribe">signup form</a> with your address`,
		}, nil},
		{"/preferences/not-a-token", []string{
			"use the link in the footer of a newer mail from Quayside Courier",
			`Want to join another list as well? Use the <a href="/subscribe">signup form</a>`,
			`Ask Quayside Courier for help through <a href="https://quayside.example">their website</a>.`,
			`Sign up again on the <a href="/subscribe">signup form</a> with your address`,
		}, nil},
	} {
		resp, body := a.get(c.path)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s = %d, want 400", c.path, resp.StatusCode)
		}
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %q:\n%s", c.path, want, body)
			}
		}
		for _, not := range c.without {
			if strings.Contains(body, not) {
				t.Errorf("GET %s has %q:\n%s", c.path, not, body)
			}
		}
	}
}
