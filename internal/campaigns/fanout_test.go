package campaigns

import (
	"mime"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// TestListIDHeader: RFC 2919's "Name <slug.host>", the name readable
// when ASCII, quoted when it has specials, and encoded per RFC 2047 when
// not ASCII: in Q form only when its words hold nothing §5(3) keeps out
// of a phrase, else in B form, so ( ) < > , ; " in a name never read as
// a comment or a second <list-id>.
func TestListIDHeader(t *testing.T) {
	tests := []struct{ name, want string }{
		{"", "<cafe.news.example>"},
		{"Harbour news", "Harbour news <cafe.news.example>"},
		{`Café "daily", (news)`, `=?utf-8?b?Q2Fmw6kgImRhaWx5IiwgKG5ld3Mp?= <cafe.news.example>`},
		{`Harbour "daily", (news)`, `"Harbour \"daily\", (news)" <cafe.news.example>`},
		{"Café Lindqvist", "=?utf-8?q?Caf=C3=A9_Lindqvist?= <cafe.news.example>"},
		{"Café = 1/2 + ½?", "=?utf-8?q?Caf=C3=A9_=3D_1/2_+_=C2=BD=3F?= <cafe.news.example>"},
		{"Café St. Louis", "=?utf-8?b?Q2Fmw6kgU3QuIExvdWlz?= <cafe.news.example>"},
		{"Café\r\nBcc: x", "=?utf-8?b?Q2Fmw6lCY2M6IHg=?= <cafe.news.example>"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, listIDHeader(tt.name, "cafe", "news.example")); diff != "" {
			t.Errorf("listIDHeader(%q) (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestListIDHeaderPhraseSafe: whatever a list's name, an encoded word in
// List-Id holds in Q form only letters, digits and ! * + - / = _ (RFC
// 2047 §5(3)), the header has one <list-id>, and its name decodes back.
func TestListIDHeaderPhraseSafe(t *testing.T) {
	word := regexp.MustCompile(`=\?[^?]+\?[qQ]\?([^?]*)\?=`)
	for _, name := range []string{"Café (daily) <x>, ok", `Zoë's "list"; a@b.example [x] \ y`, "Ünïcödé only", "Grüße: 5 # 3 & 1 ~ `x` {y} | z ^ $ % '"} {
		h := listIDHeader(name, "cafe", "news.example")
		for _, m := range word.FindAllStringSubmatch(h, -1) {
			if bad := strings.Trim(m[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/=_"); bad != "" {
				t.Errorf("List-Id %q: Q word %q holds %q, which RFC 2047 §5(3) keeps out of a phrase", h, m[0], bad)
			}
		}
		if n := strings.Count(h, "<"); n != 1 {
			t.Errorf("List-Id %q has %d '<', want only the one of <cafe.news.example>", h, n)
		}
		dec, err := new(mime.WordDecoder).DecodeHeader(strings.TrimSuffix(h, " <cafe.news.example>"))
		if err != nil || dec != name {
			t.Errorf("List-Id %q: name decodes to %q (%v), want %q", h, dec, err, name)
		}
	}
}

// TestPreheaderEscapedOnceInHTML: the preheader taken from the text part
// goes into the HTML part escaped once, by the mail template: "R&D" is
// "R&amp;D", never "R&amp;amp;D", "<b>" is "&lt;b&gt;", and "C#" and
// "it's" keep their characters.
func TestPreheaderEscapedOnceInHTML(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	_, text, err := Render("Fish &amp; chips at R&D, &lt;b&gt; is bold, it&#39;s C# day.", mailer.NewMarkers())
	if err != nil {
		t.Fatal(err)
	}
	_, html, err := tmpl.Mail("campaign", mailData{Preheader: preheader(text)})
	if err != nil {
		t.Fatal(err)
	}
	want := `mso-hide:all;">Fish &amp; chips at R&amp;D, &lt;b&gt; is bold, it&#39;s C# day.&#847;&zwnj;&nbsp;`
	if !strings.Contains(html, want) {
		t.Errorf("HTML part lacks the preheader %s:\n%s", want, html)
	}
}

// A List-Id's namespace is the public URL's host name; a public URL on an
// address, IPv6 above all, which cannot stand in the header, gives way to
// the domain of the mail's From.
func TestListIDHost(t *testing.T) {
	for _, tt := range []struct{ base, from, want string }{
		{"https://news.example", "Desk <desk@mail.example>", "news.example"},
		{"https://news.example:8443/letters", "desk@mail.example", "news.example"},
		{"http://[::1]:8080", "Desk <desk@mail.example>", "mail.example"},
		{"http://127.0.0.1:8080", "desk@mail.example", "mail.example"},
		{"http://[::1]:8080", "desk@[::1]", "localhost"},
		{"", "bad from", "localhost"},
	} {
		if got := listIDHost(tt.base, tt.from); got != tt.want {
			t.Errorf("listIDHost(%q, %q) = %q, want %q", tt.base, tt.from, got, tt.want)
		}
	}
}
