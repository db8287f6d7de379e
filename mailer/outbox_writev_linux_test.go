package mailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdvanceResumesAShortWrite(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "head|body"},
		{2, "ad|body"},
		{4, "body"},
		{6, "dy"},
		{8, ""},
	} {
		parts := advance([][]byte{[]byte("head"), []byte("body")}, c.n)
		var got []string
		for _, p := range parts {
			got = append(got, string(p))
		}
		if s := strings.Join(got, "|"); s != c.want {
			t.Errorf("advance by %d left %q, want %q", c.n, s, c.want)
		}
	}
}

func TestWriteNewFileJoinsHeadAndBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.eml")
	body := []byte(strings.Repeat("a line of a long message\r\n", 40_000)) // ~1 MB, past one page
	if err := writeNewFile(path, []byte("X-Envelope-From: <a@example.com>\r\n"), body); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "X-Envelope-From: <a@example.com>\r\n" + string(body); string(got) != want {
		t.Fatalf("file has %d bytes starting %q, want %d", len(got), got[:40], len(want))
	}
	if err := writeNewFile(path, []byte("x"), nil); err == nil {
		t.Fatal("writeNewFile over an existing file succeeded")
	}
}
