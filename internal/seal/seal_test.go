package seal

import (
	"bytes"
	"testing"
)

// Sealing twice with the same MAC opens; another MAC, or another key,
// gives another stream; a payload longer than one block is sealed whole.
func TestXORSealsAndOpens(t *testing.T) {
	s := New([]byte("secret"), "test use")
	open := []byte("campaign 12, delivery 345678, and more than one block")
	mac := []byte("0123456789")
	sealed := bytes.Clone(open)
	s.XOR(sealed, mac)
	for i := 0; i+4 <= len(open); i += 4 {
		if bytes.Equal(sealed[i:i+4], open[i:i+4]) {
			t.Errorf("bytes %d–%d are left as they were: % x", i, i+3, sealed[i:i+4])
		}
	}
	again := bytes.Clone(sealed)
	s.XOR(again, mac)
	if !bytes.Equal(again, open) {
		t.Errorf("opened %q, want %q", again, open)
	}
	other := bytes.Clone(open)
	s.XOR(other, []byte("0123456788"))
	if bytes.Equal(other, sealed) {
		t.Error("another MAC sealed alike")
	}
	otherKey := bytes.Clone(open)
	New([]byte("secret"), "another use").XOR(otherKey, mac)
	if bytes.Equal(otherKey, sealed) {
		t.Error("another use of the secret sealed alike")
	}
}

// A MAC too short to choose a stream is a programming error.
func TestXORRefusesAShortMAC(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a 4-byte MAC was taken")
		}
	}()
	New([]byte("secret"), "test use").XOR(make([]byte, 8), []byte("0123"))
}
