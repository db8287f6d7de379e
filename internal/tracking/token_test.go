package tracking

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClickTokensRoundTrip(t *testing.T) {
	s := NewSigner([]byte("test secret 0123456789abcdef0123"))
	for _, c := range []Click{
		{Campaign: 1, Index: 0},
		{Campaign: 7, Index: 3, Delivery: 42},
		{Campaign: 1 << 40, Index: 999, Delivery: 1<<62 + 5},
	} {
		tok := s.Link(c.Campaign, c.Index)
		if c.Delivery != 0 {
			tok += "." + s.Reader(c.Campaign, c.Delivery)
		}
		if strings.ContainsAny(tok, "/?#%+=") {
			t.Errorf("token %q has characters a URL path would need escaped", tok)
		}
		got, err := s.ParseClick(tok)
		if err != nil {
			t.Fatalf("ParseClick(%q): %v", tok, err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("ParseClick (-want +got):\n%s", diff)
		}
	}
	campaign, delivery, err := s.ParseReader(s.Reader(9, 11))
	if err != nil || campaign != 9 || delivery != 11 {
		t.Errorf("ParseReader = %d, %d, %v; want 9, 11, nil", campaign, delivery, err)
	}
}

func TestClickTokensRefuseTampering(t *testing.T) {
	s := NewSigner([]byte("test secret 0123456789abcdef0123"))
	other := NewSigner([]byte("another secret 0123456789abcdef0"))
	link, reader := s.Link(7, 2), s.Reader(7, 42)
	flip := func(tok string, i int) string {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, tok := range map[string]string{
		"empty":                      "",
		"link altered":               flip(link, 1),
		"link signature altered":     flip(link, len(link)-1),
		"reader altered":             link + "." + flip(reader, 0),
		"reader of another campaign": link + "." + s.Reader(8, 42),
		"reader used as a link":      reader,
		"link used as a reader":      link + "." + s.Link(7, 42),
		"another installation's":     other.Link(7, 2),
		"padding added":              link + "=",
		"empty reader":               link + ".",
		"three parts":                link + "." + reader + "." + reader,
		"not base64":                 "%%%%%%%%%%%%%%",
		"too long":                   strings.Repeat("A", 200),
	} {
		if c, err := s.ParseClick(tok); err == nil {
			t.Errorf("%s: ParseClick(%q) = %+v, want an error", name, tok, c)
		}
	}
	if _, _, err := s.ParseReader(link); err == nil {
		t.Error("ParseReader accepted a link token")
	}
	if _, _, err := s.ParseReader(flip(reader, 2)); err == nil {
		t.Error("ParseReader accepted an altered reader token")
	}
}

func BenchmarkReaderToken(b *testing.B) {
	s := NewSigner([]byte("test secret 0123456789abcdef0123"))
	for i := 0; i < b.N; i++ {
		_ = s.Reader(12, int64(i))
	}
}
