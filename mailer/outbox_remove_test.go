package mailer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

// RemoveTo removes the messages whose envelope names a recipient it is
// asked about, however the address is cased in the envelope when the
// match says so, and a message with several recipients one of which is
// theirs, also past the head RemoveTo reads first; the others stay, the page's total counts what is left, and a
// message still being written is not touched.
func TestOutboxRemoveToRemovesOnlyThatRecipientsMail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	out, err := mailer.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func(to ...string) {
		t.Helper()
		if err := out.Send(ctx, "bounce@harbour.example", to, compose(t, to[0], "Hello")); err != nil {
			t.Fatal(err)
		}
	}
	send("gone@example.com")
	send("stays@example.com")
	send("Gone@Example.COM")
	send("stays@example.com", "gone@example.com")
	send("notgone@example.com") // an address that ends like theirs
	many := make([]string, 60)  // an envelope longer than the head read
	for i := range many {
		many[i] = fmt.Sprintf("reader%02d@example.com", i)
	}
	send(append(many, "gone@example.com")...)
	send(many...)
	send("stays@example.com")
	// A file still being written (Send's temporary name).
	tmp := filepath.Join(dir, ".tmp-20261127T103000.123456789Z-1-000001.eml")
	if err := os.WriteFile(tmp, []byte("X-Envelope-From: <b@harbour.example>\r\nX-Envelope-To: <gone@example.com>\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	n, err := out.RemoveTo(func(to string) bool { return strings.ToLower(to) == "gone@example.com" })
	if err != nil || n != 4 {
		t.Fatalf("RemoveTo = %d, %v; want 4 removed", n, err)
	}
	names, err := out.List(0)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, name := range names {
		raw, err := out.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, strings.SplitN(strings.SplitN(string(raw), "X-Envelope-To: ", 2)[1], "\r\n", 2)[0])
	}
	if want := "<stays@example.com>|<" + strings.Join(many, ">, <") + ">|<notgone@example.com>|<stays@example.com>"; strings.Join(left, "|") != want {
		t.Errorf("left %s, want %s", strings.Join(left, "|"), want)
	}
	if p, err := out.Page("", "", 200); err != nil || p.Total != 4 || len(p.Names) != 4 {
		t.Errorf("page after RemoveTo: %+v, %v; want 4 messages", p, err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("the file being written: %v", err)
	}
	if n, err := out.RemoveTo(func(string) bool { return false }); n != 0 || err != nil {
		t.Errorf("RemoveTo matching nobody = %d, %v", n, err)
	}
}

// A file RemoveTo cannot read is left and reported, by its name, not by
// any address, and the files after it are still looked at.
func TestOutboxRemoveToGoesOnPastAnUnreadableFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	out, err := mailer.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A name that opens as a folder: unreadable, even by root.
	bad := filepath.Join(dir, "00000000T000000.000000000Z-1-000001.eml")
	if err := os.Symlink(t.TempDir(), bad); err != nil {
		t.Skip(err)
	}
	if err := out.Send(context.Background(), "b@harbour.example", []string{"gone@example.com"}, compose(t, "gone@example.com", "Hi")); err != nil {
		t.Fatal(err)
	}
	n, err := out.RemoveTo(func(to string) bool { return to == "gone@example.com" })
	if n != 1 || err == nil || !strings.Contains(err.Error(), filepath.Base(bad)) || strings.Contains(err.Error(), "@") {
		t.Errorf("RemoveTo = %d, %v; want 1 removed and an error naming %s only", n, err, filepath.Base(bad))
	}
}
