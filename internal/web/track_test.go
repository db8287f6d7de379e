package web

import (
	"bytes"
	"image/gif"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/tracking"
)

const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

var issueLinks = []string{"https://example.org/story?id=1&utm_source=x", "https://example.org/two", "https://example.org/three"}

func TestRedirectAnswers302AndRecords(t *testing.T) {
	e := newTrackEnv(t)
	id, ds := e.campaign(t, tracking.On, false, issueLinks, 2)
	for i, path := range []string{e.link(id, 0, ds[0]), e.link(id, 1, 0)} {
		w := e.do("GET", path, browserUA)
		if w.Code != http.StatusFound {
			t.Fatalf("GET %s = %d, want 302", path, w.Code)
		}
		if got := w.Header().Get("Location"); got != issueLinks[i] {
			t.Errorf("Location = %q, want %q", got, issueLinks[i])
		}
		for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
			if got := w.Header().Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	}
	e.rec.Flush()
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND link_idx = 0 AND delivery_id = ? AND machine = 0`, id, ds[0]); n != 1 {
		t.Errorf("%d clicks of link 0 by the delivery, want 1", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND link_idx = 1 AND delivery_id IS NULL AND clicker IS NULL`, id); n != 1 {
		t.Errorf("%d clicks of link 1 without a reader, want 1", n)
	}
}

// Any token but a correctly signed one for a stored link is a 404 page:
// never a redirect, so the redirect can send no one elsewhere.
func TestRedirectRefusesBadTokens(t *testing.T) {
	e := newTrackEnv(t)
	id, ds := e.campaign(t, tracking.On, false, issueLinks, 1)
	other, ods := e.campaign(t, tracking.On, false, issueLinks, 1)
	good := e.link(id, 0, ds[0])
	forged := tracking.NewSigner([]byte("another secret 0123456789abcdef0"))
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, path := range map[string]string{
		"empty":                      "/r/",
		"garbage":                    "/r/not-a-token",
		"altered link part":          flip(good, 4),
		"altered reader part":        flip(good, len(good)-2),
		"another install's token":    "/r/" + forged.Link(id, 0),
		"reader of another campaign": e.link(id, 0, 0) + "." + e.tokens.Reader(other, ods[0]),
		"link past the last":         e.link(id, len(issueLinks), ds[0]),
		"unknown campaign":           e.link(id+100, 0, 0),
		"url in the path":            "/r/https://evil.example/",
		"dot segments":               "/r/x/../" + e.link(id, 0, ds[0])[3:],
		"double slash":               "/r//" + e.link(id, 0, ds[0])[3:],
	} {
		t.Run(name, func(t *testing.T) {
			for _, method := range []string{"GET", "HEAD"} {
				w := e.do(method, path, browserUA)
				if w.Code != http.StatusNotFound {
					t.Errorf("%s %s = %d, want 404", method, path, w.Code)
				}
				if loc := w.Header().Get("Location"); loc != "" {
					t.Errorf("%s %s redirects to %q", method, path, loc)
				}
				if method == "GET" && !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
					t.Errorf("Content-Type = %q, want an HTML page", w.Header().Get("Content-Type"))
				}
				if got := w.Header().Get("X-Robots-Tag"); got != "noindex" {
					t.Errorf("X-Robots-Tag = %q, want noindex", got)
				}
			}
		})
	}
	e.rec.Flush()
	if n := e.count(t, `SELECT COUNT(*) FROM clicks`); n != 0 {
		t.Errorf("%d clicks recorded for bad tokens, want 0", n)
	}
	// A query added to a good link changes nothing: it goes where the
	// campaign's link goes.
	if w := e.do("GET", good+"?u=https://evil.example/", browserUA); w.Code != http.StatusFound || w.Header().Get("Location") != issueLinks[0] {
		t.Errorf("good link with a query = %d to %q, want 302 to %q", w.Code, w.Header().Get("Location"), issueLinks[0])
	}
}

func TestRedirectFlagsMachines(t *testing.T) {
	e := newTrackEnv(t)
	id, ds := e.campaign(t, tracking.Anonymous, false, issueLinks, 3)
	if w := e.do("HEAD", e.link(id, 0, ds[0]), browserUA); w.Code != http.StatusFound {
		t.Fatalf("HEAD = %d, want 302", w.Code)
	}
	e.do("GET", e.link(id, 0, ds[1]), "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
	e.do("GET", e.link(id, 0, ds[2]), browserUA)
	// A scanner with a browser's agent, following all three links.
	for i := range issueLinks {
		e.do("GET", e.link(id, i, ds[2]+0), browserUA)
	}
	e.rec.Flush()
	rows, err := e.db.Read.Query(`SELECT reason FROM clicks WHERE campaign_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var r string
		rows.Scan(&r)
		got = append(got, r)
	}
	want := "head scanner burst burst burst burst"
	if strings.Join(got, " ") != want {
		t.Errorf("reasons = %q, want %q", strings.Join(got, " "), want)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE delivery_id IS NOT NULL`); n != 0 {
		t.Errorf("anonymous tracking stored %d deliveries, want 0", n)
	}
}

// A campaign with tracking off still sends readers on (its mail may be
// old), but records nothing.
func TestRedirectWithTrackingOffRecordsNothing(t *testing.T) {
	e := newTrackEnv(t)
	id, ds := e.campaign(t, tracking.Off, true, issueLinks, 1)
	w := e.do("GET", e.link(id, 2, ds[0]), browserUA)
	if w.Code != http.StatusFound || w.Header().Get("Location") != issueLinks[2] {
		t.Fatalf("GET = %d to %q, want 302 to %q", w.Code, w.Header().Get("Location"), issueLinks[2])
	}
	e.rec.Flush()
	if n := e.count(t, `SELECT COUNT(*) FROM clicks`); n != 0 {
		t.Errorf("%d clicks recorded with tracking off, want 0", n)
	}
}

func TestPixelIsAGIFAndFlagsProxies(t *testing.T) {
	e := newTrackEnv(t)
	id, ds := e.campaign(t, tracking.On, true, issueLinks, 3)
	quiet, qds := e.campaign(t, tracking.On, false, issueLinks, 1)
	for _, c := range []struct{ path, ua string }{
		{"/o/" + e.tokens.Reader(id, ds[0]) + ".gif", "Mozilla/5.0"},
		{"/o/" + e.tokens.Reader(id, ds[1]) + ".gif", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"},
		{"/o/" + e.tokens.Reader(id, ds[2]) + ".gif", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1"},
		{"/o/" + e.tokens.Reader(quiet, qds[0]) + ".gif", browserUA}, // opens off: not recorded
		{"/o/altered.gif", browserUA},
		{"/o/" + e.tokens.Link(id, 0) + ".gif", browserUA}, // a link token is no reader token
	} {
		w := e.do("GET", c.path, c.ua)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", c.path, w.Code)
		}
		if ct, cc := w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"); ct != "image/gif" || cc != "no-store" {
			t.Errorf("GET %s: Content-Type %q, Cache-Control %q; want image/gif, no-store", c.path, ct, cc)
		}
		img, err := gif.Decode(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("GET %s: not a GIF: %v", c.path, err)
		}
		if b := img.Bounds(); b.Dx() != 1 || b.Dy() != 1 {
			t.Errorf("pixel is %dx%d, want 1x1", b.Dx(), b.Dy())
		}
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("pixel alpha = %d, want 0 (transparent)", a)
		}
	}
	e.rec.Flush()
	rows, err := e.db.Read.Query(`SELECT campaign_id, delivery_id, machine, reason FROM opens ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type open struct {
		Campaign, Delivery int64
		Machine            bool
		Reason             string
	}
	var got []open
	for rows.Next() {
		var o open
		rows.Scan(&o.Campaign, &o.Delivery, &o.Machine, &o.Reason)
		got = append(got, o)
	}
	want := []open{{id, ds[0], true, "apple-proxy"}, {id, ds[1], true, "google-proxy"}, {id, ds[2], false, ""}}
	if len(got) != len(want) {
		t.Fatalf("opens = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("open %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
