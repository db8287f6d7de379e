package settings_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// A public URL pasted with a character a link ends or breaks at (the ">"
// of "<https://news.example.com>" kept, a quote, a brace) is refused with
// what to fix, and the settings in force stay as they were: the public URL
// starts every link in every mail, and the List-Unsubscribe header
// "<BASE/unsubscribe/T>" would end at a ">".
func TestPublicURLWithBracketOrQuoteIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	if err := s.Save(ctx, &settings.Update{Publication: full}); err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Publication(ctx)
	for _, tc := range []struct{ url, says string }{
		{"https://news.example.com>", "is not a host name"},
		{"https://news_example.com", "is not a host name"},
		{"https://-news.example.com", "is not a host name"},
		{"https://news%2Eexample.com", "https://"},
		{"https://10.0.0.999", "is not a host name"},
		{"https://news.example.com:0", "port"},
		{"https://[fe80::1%25eth0]", "is not an IPv6 address"},
		{"https://news.example.com/news>", `remove the '>'`},
		{`https://news.example.com/news"`, `remove the '"'`},
		{"https://news.example.com/{x}", `remove the '{'`},
		{"https://news.example.com/a|b", `remove the '|'`},
		{`https://news.example.com/a\b`, `remove the '\'`},
		{"https://news.example.com/a^b", `remove the '^'`},
		{"https://news.example.com/a`b", "remove the '`'"},
	} {
		err := s.Save(ctx, &settings.Update{Publication: settings.Publication{Name: "Changed", PublicURL: tc.url, Credit: true}})
		if why := bulletin.ErrorFields(err)["public_url"]; bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(why, tc.says) {
			t.Errorf("public URL %q: Save = %v (public_url: %q), want the field refused saying %q", tc.url, err, why, tc.says)
		}
		if got, _ := s.Publication(ctx); !cmp.Equal(stored, got) {
			t.Errorf("public URL %q: a refused save changed the settings (-before +after):\n%s", tc.url, cmp.Diff(stored, got))
		}
	}
	for _, good := range []string{"https://news.example.com", "http://127.0.0.1:8080", "https://[2001:db8::1]:8443",
		"https://News.Example.com"} {
		if err := s.Save(ctx, &settings.Update{Publication: settings.Publication{PublicURL: good, Credit: true}}); err != nil {
			t.Errorf("public URL %q: Save = %v, want it taken", good, err)
		} else if p, _ := s.Publication(ctx); p.PublicURL != good {
			t.Errorf("public URL %q stored as %q, want it as typed", good, p.PublicURL)
		}
	}
}

// A host name in another script is stored in its xn-- form, which mail
// headers and DNS take, for the public URL and the website alike; one that
// has no such form is refused with what to fix.
func TestUnicodeHostIsStoredInItsXNForm(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	err := s.Save(ctx, &settings.Update{Publication: settings.Publication{PublicURL: "https://Bücher.example:8443/",
		WebsiteURL: "https://bücher.example", Credit: true}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Publication(ctx)
	if p.PublicURL != "https://xn--bcher-kva.example:8443" || p.WebsiteURL != "https://xn--bcher-kva.example" {
		t.Errorf("stored %q and %q, want the host in its xn-- form", p.PublicURL, p.WebsiteURL)
	}

	err = s.Save(ctx, &settings.Update{Publication: settings.Publication{PublicURL: "https://b\u200dücher.example", Credit: true}})
	if why := bulletin.ErrorFields(err)["public_url"]; !strings.Contains(why, "xn-- form") {
		t.Errorf("a host with no xn-- form: Save = %v (public_url: %q), want the field refused saying so", err, why)
	}
	if got, _ := s.Publication(ctx); got.PublicURL != p.PublicURL {
		t.Errorf("a refused save left the public URL %q, want %q", got.PublicURL, p.PublicURL)
	}
}
