package subscribers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// An address of fewer than 254 characters but more than 254 bytes, its
// domain in another script, is taken when its xn-- form, the one it is
// mailed in, fits in 254: it was refused as over 254 characters. (One
// whose xn-- form does not fit is told so: longByIDNA's case.)
func TestAddressLongInBytesShortInCharacters(t *testing.T) {
	label := strings.Repeat("中", 20)
	addr := "reader.one@" + strings.Repeat(label+".", 4) + "com"
	if n := len(addr); n <= MaxEmailLen {
		t.Fatalf("the address is %d bytes: the test needs more than %d", n, MaxEmailLen)
	}
	if n := utf8.RuneCountInString(addr); n > MaxEmailLen {
		t.Fatalf("the address is %d characters: the test needs at most %d", n, MaxEmailLen)
	}
	got, why := NormalizeEmail(addr)
	if why != "" {
		t.Fatalf("NormalizeEmail(%d bytes, %d characters) refused: %s", len(addr), utf8.RuneCountInString(addr), why)
	}
	if !strings.HasPrefix(got, "reader.one@xn--") || len(got) > MaxEmailLen {
		t.Errorf("NormalizeEmail stored %q (%d octets), want its xn-- form within %d", got, len(got), MaxEmailLen)
	}

}
