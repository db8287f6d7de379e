package web

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	snippetID  = regexp.MustCompile(` id="([^"]+)"`)
	snippetFor = regexp.MustCompile(` for="([^"]+)"`)
)

// Each snippet has ids of its own, so that two on one page (the every-list
// form in a header, a one-list form in a footer) do not share them: the
// second form's labels named the first form's fields, and focused them.
// Every label names a field of its own snippet, and a snippet is the same
// each time it is shown, whatever the case of its ?list=, for a publisher
// who pastes it again.
func TestEmbedSnippetsHaveIDsOfTheirOwn(t *testing.T) {
	e := newSubEnv(t, 0)
	owner := map[string]string{} // id → the snippet that has it
	for _, path := range []string{"/subscribe/embed", "/subscribe/embed?list=daily-news", "/subscribe/embed?list=weekend-culture"} {
		s := snippetOf(t, e, path)
		var ids []string
		for _, m := range snippetID.FindAllStringSubmatch(s, -1) {
			ids = append(ids, m[1])
			if other, ok := owner[m[1]]; ok {
				t.Errorf("%s and %s both have id %q", other, path, m[1])
			}
			owner[m[1]] = path
		}
		if len(ids) != 2 {
			t.Errorf("%s: ids %q, want the address's and the name's", path, ids)
		}
		for _, m := range snippetFor.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(ids, m[1]) {
				t.Errorf("%s: a label for %q, which is no field of its own (ids %q)", path, m[1], ids)
			}
		}
		if again := snippetOf(t, e, path); again != s {
			t.Errorf("%s shown twice differs:\n%s", path, cmp.Diff(s, again))
		}
	}
	for _, c := range []struct{ path, same string }{
		{"/subscribe/embed?list=DAILY-NEWS", "/subscribe/embed?list=daily-news"},
		{"/subscribe/embed?list=nope", "/subscribe/embed"},
	} {
		got, want := snippetOf(t, e, c.path), snippetOf(t, e, c.same)
		if diff := cmp.Diff(snippetID.FindAllString(want, -1), snippetID.FindAllString(got, -1)); diff != "" {
			t.Errorf("%s has other ids than %s (-want +got):\n%s", c.path, c.same, diff)
		}
	}
	if s := snippetOf(t, e, "/subscribe/embed?list=daily-news"); !strings.Contains(s, `for="bulletin-email-daily-news"`) {
		t.Errorf("the daily-news snippet's address label is not for bulletin-email-daily-news:\n%s", s)
	}
}

// On a publisher's page with two snippets, read left to right and right
// to left, each label focuses its own form's field: the footer's "Email
// address" focused the header's field, out of sight on a phone.
func TestEmbedSnippetsLabelsFocusTheirOwnFieldsInTheBrowser(t *testing.T) {
	e := newSubEnv(t, 0)
	site := publisherServer(t, e)
	ctx := browser33(t)
	for _, dir := range []string{"ltr", "rtl"} {
		open33(t, ctx, view33{390, "light"}, site.URL+"/"+dir)
		got := eval33[string](t, ctx, `(function () {
			var seen = {}, out = [];
			document.querySelectorAll("[id]").forEach(function (el) {
				if (seen[el.id]) out.push("id " + el.id + " twice");
				seen[el.id] = true;
			});
			["header", "footer"].forEach(function (where) {
				var form = document.querySelector(where + " form");
				form.querySelectorAll("label[for]").forEach(function (l) {
					l.click();
					var f = document.activeElement;
					if (!form.contains(f)) out.push("the " + where + "'s label " + JSON.stringify(l.textContent) + " focuses a field of another form");
					else if (f !== l.control) out.push("the " + where + "'s label " + JSON.stringify(l.textContent) + " focuses " + f.name);
				});
			});
			return out.join("; ");
		})()`)
		if got != "" {
			t.Errorf("%s: %s", dir, got)
		}
	}
}
