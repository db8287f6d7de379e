package mailer_test

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

func compose(t *testing.T, to, subject string) []byte {
	t.Helper()
	m := &mailer.Message{
		From:    &mail.Address{Name: "Harbour Gazette", Address: "news@harbour.example"},
		To:      &mail.Address{Name: "Zoë", Address: to},
		Subject: subject,
		Text:    "Hello",
		HTML:    "<p>Hello</p>",
	}
	raw, err := m.Compose()
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	return raw
}

func TestOutboxWritesWholeFilesThatSortByTime(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	out, err := mailer.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := out.Send(ctx, "bounce@harbour.example", []string{"a@example.com"}, compose(t, "a@example.com", "Hi")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	last := compose(t, "last@example.com", "Last one")
	if err := out.Send(ctx, "bounce@harbour.example", []string{"last@example.com"}, last); err != nil {
		t.Fatal(err)
	}

	names, err := out.List(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 21 {
		t.Fatalf("List returned %d names, want 21", len(names))
	}
	if !sort.IsSorted(sort.Reverse(sort.StringSlice(names))) {
		t.Errorf("List is not newest first: %v", names)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	newest, err := out.Read(names[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(newest, last) {
		t.Errorf("newest file does not end with the last message")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(newest))
	if err != nil {
		t.Fatalf("outbox file does not parse as mail: %v", err)
	}
	if got := msg.Header.Get("X-Envelope-To"); got != "<last@example.com>" {
		t.Errorf("X-Envelope-To = %q", got)
	}
}

func TestOutboxReadRefusesPathsOutside(t *testing.T) {
	out, err := mailer.NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../secret", "../../etc/passwd.eml", "a/b.eml", ".tmp-1.eml", "x.txt"} {
		if _, err := out.Read(name); err == nil {
			t.Errorf("Read(%q) succeeded", name)
		}
	}
}

func TestOutboxHonoursCancelledContext(t *testing.T) {
	out, err := mailer.NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := out.Send(ctx, "a@b.example", []string{"c@d.example"}, []byte("x")); err == nil {
		t.Error("Send with a cancelled context succeeded")
	}
}

// BenchmarkOutboxSend writes confirmation-sized mails into an outbox; set
// TMPDIR to a tmpfs (/dev/shm) to time the code rather than the disk.
func BenchmarkOutboxSend(b *testing.B) {
	out, err := mailer.NewOutbox(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	msg := bytes.Repeat([]byte("A line of a confirmation mail, as long as most.\r\n"), 120)
	ctx := context.Background()
	for b.Loop() {
		if err := out.Send(ctx, "bounce@harbour.example", []string{"reader@example.com"}, msg); err != nil {
			b.Fatal(err)
		}
	}
}
