package mailer

import (
	"testing"

	"golang.org/x/net/idna"
)

// AddressForPeople shows a domain's IDNA labels in Unicode, but not a
// label that mixes scripts, as a look-alike does, nor one that does not
// decode.
func TestAddressForPeople(t *testing.T) {
	lookalike, err := idna.Lookup.ToASCII("pаypal.com") // a Cyrillic а
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ stored, want string }{
		{"ada@example.com", "ada@example.com"},
		{"bjorn@xn--exmple-cua.se", "bjorn@exämple.se"},
		{"bjorn@mail.xn--exmple-cua.se", "bjorn@mail.exämple.se"},
		{"info@xn--e1afmkfd.xn--p1ai", "info@пример.рф"},
		{"yuki@xn--wgv71a119e.jp", "yuki@日本語.jp"},
		{"eve@" + lookalike, "eve@" + lookalike},
		{"eve@xn--zz.example", "eve@xn--zz.example"},
		{"not an address", "not an address"},
	} {
		if got := AddressForPeople(tt.stored); got != tt.want {
			t.Errorf("AddressForPeople(%q) = %q, want %q", tt.stored, got, tt.want)
		}
	}
}

// A campaign's {{ .Email }} names an IDN reader's address as they typed
// it; in a link it stays the address mail is sent to.
func TestEmailFieldShowsTheAddressAsTyped(t *testing.T) {
	mk := NewMarkers()
	p := Personal{Email: "yamada@xn--r8jz45g.jp"}
	if got := mk.Fill("You are "+mk.Of(Email)+".", p, false); got != "You are yamada@例え.jp." {
		t.Errorf("text: %q", got)
	}
	if got := mk.Fill(`<a href="https://news.example/?e=`+mk.Of(EmailURL)+`">`, p, true); got != `<a href="https://news.example/?e=yamada%40xn--r8jz45g.jp">` {
		t.Errorf("link: %q", got)
	}
}

// BenchmarkAddressForPeople is the cost each confirmation and each
// campaign mail naming the reader's address pays for it:
//
//	go test ./mailer -run '^$' -bench AddressForPeople -benchmem
func BenchmarkAddressForPeople(b *testing.B) {
	for _, addr := range []string{"ann.reader@example.org", "yamada@xn--r8jz45g.jp"} {
		b.Run(addr, func(b *testing.B) {
			for b.Loop() {
				AddressForPeople(addr)
			}
		})
	}
}
