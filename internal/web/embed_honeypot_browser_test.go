package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// snippetOf is the HTML the embed page at path gives to copy, as a
// publisher pastes it.
func snippetOf(t *testing.T, e *subEnv, path string) string {
	t.Helper()
	w := e.do("GET", path, "", "")
	body := w.Body.String()
	i := strings.Index(body, `<textarea id="snippet"`)
	if w.Code != http.StatusOK || i < 0 {
		t.Fatalf("GET %s: %d, no snippet:\n%s", path, w.Code, body)
	}
	s := body[i:]
	s = s[strings.Index(s, ">")+1 : strings.Index(s, "</textarea>")]
	return html.UnescapeString(s)
}

// publisherPage is a page of another site that pastes header and footer,
// two snippets, around some text, written in direction dir ("ltr" or
// "rtl"). A phone's viewport, as a site built for phones has it.
func publisherPage(dir, header, footer string) string {
	return `<!doctype html>
<html dir="` + dir + `" lang="` + map[string]string{"rtl": "ar", "ltr": "en"}[dir] + `">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>A publisher's page</title></head>
<body>
<header>` + header + `</header>
<main><p>نشرة الأخبار اليومية. The news of the day, every morning.</p></main>
<footer>` + footer + `</footer>
</body>
</html>`
}

// publisherServer serves publisherPage on 127.0.0.1, at /ltr and /rtl,
// with the every-list snippet in the header and the daily-news one in
// the footer.
func publisherServer(t *testing.T, e *subEnv) *httptest.Server {
	t.Helper()
	all, one := snippetOf(t, e, "/subscribe/embed"), snippetOf(t, e, "/subscribe/embed?list=daily-news")
	mux := http.NewServeMux()
	for _, dir := range []string{"ltr", "rtl"} {
		page := publisherPage(dir, all, one)
		mux.HandleFunc("GET /"+dir, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page))
		})
	}
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// honeypotHidden is JavaScript that says how the spam trap of the form
// holding field (an element) is not hidden, "" when it is: out of sight
// (a box of at most a pixel, clipped away), out of the tab order (Tab
// never reaches it) and out of the accessibility tree (its box is
// aria-hidden), with nothing for a browser to fill in.
const honeypotHidden = `(function (form) {
	var f = form.querySelector("input[name=website]");
	if (!f) return "no spam trap";
	var box = f.closest("[aria-hidden=true]");
	if (!box || !form.contains(box)) return "the spam trap is in no aria-hidden box";
	if (f.tabIndex !== -1) return "the spam trap is in the tab order";
	if (f.getAttribute("autocomplete") !== "off") return "the spam trap may be filled in by the browser";
	var r = box.getBoundingClientRect(), cs = getComputedStyle(box);
	if (r.width > 1 || r.height > 1) return "the spam trap's box is " + r.width + "×" + r.height + " px";
	if (cs.overflow !== "hidden") return "the spam trap's box lets it show (overflow " + cs.overflow + ")";
	if (cs.clipPath !== "inset(50%)") return "the spam trap's box is not clipped (clip-path " + cs.clipPath + ")";
	return "";
})`

// The spam trap of the embedded snippet stays hidden without making the
// page any wider, on a publisher's page read left to right and right to
// left, at a phone's width and a laptop's: hidden 10,000 px to the left,
// it made an Arabic page scroll 10,000 px sideways, the way a right to
// left page scrolls. The signup page's own trap (the layout's .hp) holds
// in both directions too.
func TestEmbedHoneypotMakesNoPageWiderInEitherDirection(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	app := httptest.NewServer(e.h)
	t.Cleanup(app.Close)
	e.srv.BaseURL = app.URL
	site := publisherServer(t, e)
	ctx := browser33(t)
	wide := `(function () {
		var s = document.scrollingElement;
		return s.scrollWidth > s.clientWidth ? "the page is " + s.scrollWidth + " px wide on a " + s.clientWidth + " px screen" : "";
	})()`
	for _, v := range []view33{{390, "light"}, {1280, "light"}} {
		for _, dir := range []string{"ltr", "rtl"} {
			open33(t, ctx, v, site.URL+"/"+dir)
			shot36(t, ctx, "embed-honeypot-"+dir, v)
			if o := eval33[string](t, ctx, wide); o != "" {
				t.Errorf("publisher's page, %s, at %s: %s", dir, v, o)
			}
			for _, f := range []string{"header", "footer"} {
				if h := eval33[string](t, ctx, honeypotHidden+`(document.querySelector("`+f+` form"))`); h != "" {
					t.Errorf("publisher's page, %s, at %s, the %s's form: %s", dir, v, f, h)
				}
			}

			open33(t, ctx, v, app.URL+"/subscribe")
			if d := eval33[string](t, ctx, `document.documentElement.dir = "`+dir+`"`); d != dir {
				t.Fatalf("the signup page's direction: %q", d)
			}
			if o := eval33[string](t, ctx, wide); o != "" {
				t.Errorf("signup page, %s, at %s: %s", dir, v, o)
			}
			if h := eval33[string](t, ctx, honeypotHidden+`(document.querySelector("form"))`); h != "" {
				t.Errorf("signup page, %s, at %s: %s", dir, v, h)
			}
		}
	}
}
