package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noSlugFrom is the slug's error for a name in Japanese, as a page shows it.
const noSlugFrom = "Bulletin makes the slug from the name's Latin letters and digits, and “日本のニュース” has none: type a slug, such as the-weekly"

// A new list whose slug is left empty, as the form says, and whose name
// has no letter a slug can be made from is refused with why under Slug,
// not with the slug's rules alone; with no name, only the name's error
// shows, not one on the slug the editor was told to leave empty.
func TestNewListSlugLeftEmptySaysWhyNoneWasMade(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	for _, tt := range []struct{ name, want, not string }{
		{"日本のニュース", noSlugFrom, "1–64 lower-case letters"},
		{"", "Give a name of 1–100 characters.", "Slug"},
	} {
		form := url.Values{"csrf": {a.csrfOf("/admin/lists")}, "slug": {""}, "name": {tt.name}, "public": {"on"},
			"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"}}
		resp, body := a.postBody("/admin/lists", form)
		text := html.UnescapeString(body)
		errs := errorParagraphs(text)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errs, tt.want) || strings.Contains(errs, tt.not) {
			t.Errorf("new list named %q with no slug = %d, errors %q; want 422 saying %q and not %q", tt.name, resp.StatusCode, errs, tt.want, tt.not)
		}
	}
}

// At setup the same: the first list's slug left empty says why none was
// made, and an empty name is the one error of the list.
func TestSetupSlugLeftEmptySaysWhyNoneWasMade(t *testing.T) {
	_, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	for _, tt := range []struct{ name, want, not string }{
		{"日本のニュース", "Slug: " + noSlugFrom + ".", "use 1–64 lower-case letters"},
		{"", "Name: give a name of 1–100 characters.", "Slug:"},
	} {
		f := setupForm(c.csrf(), "")
		f.Set("list_name", tt.name)
		f.Set("list_slug", "")
		resp, body := c.do("POST", "/admin/setup", f)
		errs := errorParagraphs(html.UnescapeString(body))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errs, tt.want) || strings.Contains(errs, tt.not) {
			t.Errorf("setup with list %q and no slug = %d, errors %q; want 422 saying %q and not %q", tt.name, resp.StatusCode, errs, tt.want, tt.not)
		}
	}
}

// errorParagraphs are the texts of page's <p class="error"…> paragraphs,
// one a line.
func errorParagraphs(page string) string {
	var out []string
	for rest := page; ; {
		i := strings.Index(rest, `<p class="error"`)
		if i < 0 {
			return strings.Join(out, "\n")
		}
		rest = rest[i:]
		start := strings.Index(rest, ">") + 1
		end := strings.Index(rest, "</p>")
		if end < start {
			return strings.Join(out, "\n")
		}
		out = append(out, rest[start:end])
		rest = rest[end:]
	}
}
