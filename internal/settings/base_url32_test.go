package settings_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// A public URL with a path is refused with what to do instead: mail links
// would carry the path, but Bulletin's routes, redirects and forms are at
// the root of its host, so every page behind them would be a 404. The
// website, a link like any other, keeps its path; a lone trailing slash
// is no path.
func TestPublicURLWithAPathIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	for _, bad := range []string{"https://example.com/news", "http://example.com/news/", "https://example.com:8443/a/b", "https://example.com/%7Enews"} {
		err := s.Save(ctx, &settings.Update{Publication: settings.Publication{PublicURL: bad, Credit: true}})
		why := bulletin.ErrorFields(err)["public_url"]
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(why, "leave out the path") || !strings.Contains(why, "host name of its own") {
			t.Errorf("public URL %q: Save = %v (public_url: %q), want the field refused saying to leave out the path", bad, err, why)
		}
		if p, _ := s.Publication(ctx); p.PublicURL == bad || strings.Contains(p.PublicURL, "/news") {
			t.Errorf("public URL %q: a refused save stored %q", bad, p.PublicURL)
		}
	}
	good := settings.Publication{PublicURL: "https://news.example.com/", WebsiteURL: "https://example.com/about/us", Credit: true}
	if err := s.Save(ctx, &settings.Update{Publication: good}); err != nil {
		t.Fatalf("public URL with a trailing slash and website with a path: Save = %v, want them taken", err)
	}
	if p, _ := s.Publication(ctx); p.PublicURL != "https://news.example.com" || p.WebsiteURL != "https://example.com/about/us" {
		t.Errorf("stored %q and %q, want https://news.example.com and the website as typed", p.PublicURL, p.WebsiteURL)
	}
}

// TidyPublicURL is what BULLETIN_BASE_URL is checked with at start: it
// says the same, and takes what TidyURL takes when there is no path.
func TestTidyPublicURL(t *testing.T) {
	for _, tc := range []struct{ in, want, says string }{
		{"https://news.example.com", "https://news.example.com", ""},
		{"https://news.example.com/", "https://news.example.com/", ""},
		{"https://Bücher.example:8443", "https://xn--bcher-kva.example:8443", ""},
		// The scheme in lower case, the rest as typed: links in mail and
		// serve's Secure cookies and HSTS go by "https://".
		{"HTTPS://News.Example.com", "https://News.Example.com", ""},
		{"Http://Bücher.example/", "http://xn--bcher-kva.example/", ""},
		{"", "", ""},
		{"http://example.com/news", "http://example.com/news", "leave out the path /news"},
		{"https://news.example.com?x=1", "https://news.example.com?x=1", "leave out the query"},
	} {
		got, why := settings.TidyPublicURL(tc.in, "https://news.example.com")
		if got != tc.want || (tc.says == "") != (why == "") || !strings.Contains(why, tc.says) {
			t.Errorf("TidyPublicURL(%q) = %q, %q; want %q saying %q", tc.in, got, why, tc.want, tc.says)
		}
	}
}

// A public URL and website saved as "HTTPS://…" before the scheme was
// lower-cased on save are read as "https://…": links keep one spelling,
// and serve's Secure cookies and HSTS, which go by "https://", hold.
func TestStoredSchemeReadInLowerCase(t *testing.T) {
	ctx := context.Background()
	s, db, _ := newStore(t)
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO settings (id, public_url, website_url, updated_at) VALUES (1, 'HTTPS://News.Example.com', 'Http://example.com/About', '2026-12-01T00:00:00Z')
		ON CONFLICT (id) DO UPDATE SET public_url = excluded.public_url, website_url = excluded.website_url`); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func(context.Context) (settings.Publication, error){"Publication": s.Publication, "Stored": s.Stored} {
		p, err := read(ctx)
		if err != nil || p.PublicURL != "https://News.Example.com" || p.WebsiteURL != "http://example.com/About" {
			t.Errorf("%s = %q, %q, %v; want https://News.Example.com and http://example.com/About", name, p.PublicURL, p.WebsiteURL, err)
		}
	}
}
