package tracking

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
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

// unsealed writes tag's part as mail sent before tokens were sealed holds
// it: the uvarints as they are, then their MAC.
func unsealed(s *Signer, tag byte, a, b uint64) string {
	buf := binary.AppendUvarint(binary.AppendUvarint(nil, a), b)
	return base64.RawURLEncoding.EncodeToString(append(buf, s.mac(tag, buf)...))
}

// Tokens do not show their ids: campaigns and deliveries are numbered in
// order, and a reader comparing two mails would learn how many campaigns,
// and how many messages, went out in between. Links in mail sent before
// tokens were sealed still count.
func TestTokensSealTheirIDs(t *testing.T) {
	s := NewSigner([]byte("test secret 0123456789abcdef0123"))
	for _, ids := range [][2]uint64{{5, 1000}, {6, 1001}, {300, 70000}} {
		for _, tok := range []string{s.Reader(int64(ids[0]), int64(ids[1])), s.Link(int64(ids[0]), int(ids[1]))} {
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil {
				t.Fatal(err)
			}
			open := binary.AppendUvarint(binary.AppendUvarint(nil, ids[0]), ids[1])
			if bytes.HasPrefix(raw, open) {
				t.Errorf("token %q of %v starts with its ids: % x", tok, ids, raw)
			}
		}
	}
	old := unsealed(s, tagLink, 7, 2) + "." + unsealed(s, tagReader, 7, 42)
	if got, err := s.ParseClick(old); err != nil || got != (Click{Campaign: 7, Index: 2, Delivery: 42}) {
		t.Errorf("ParseClick(a link of old mail) = %+v, %v", got, err)
	}
	if c, d, err := s.ParseReader(unsealed(s, tagReader, 9, 11)); err != nil || c != 9 || d != 11 {
		t.Errorf("ParseReader(an open pixel of old mail) = %d, %d, %v", c, d, err)
	}
	if _, err := s.ParseClick(unsealed(s, tagReader, 7, 2)); err == nil {
		t.Error("an old reader token passed as a link")
	}
}
