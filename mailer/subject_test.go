package mailer_test

import (
	"bytes"
	"math/rand/v2"
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

// checkSubject composes a message with subject and a From and To named
// name, and fails t unless it composes without panicking, its header
// lines keep their limits (checkHeaderLines), and the subject and the
// name decode back to what was given (control characters as spaces, the
// ends trimmed, as oneLine leaves them).
func checkSubject(t *testing.T, subject, name string) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Compose(subject %q, name %q) panicked: %v", subject, name, p)
		}
	}()
	m := &mailer.Message{
		From:    &mail.Address{Name: name, Address: "news@harbour.example"},
		To:      &mail.Address{Name: name, Address: "zoe@example.com"},
		Subject: subject, Text: "t", HTML: "<p>h</p>",
	}
	raw, err := m.Compose()
	if err != nil {
		t.Fatalf("Compose(%q): %v", subject, err)
	}
	checkHeaderLines(t, raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Trim(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, subject), " ")
	if got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil || strings.Trim(got, " ") != want {
		t.Errorf("subject %q goes out as %q, decoded %q, %v", subject, msg.Header.Get("Subject"), got, err)
	}
	if name != "" {
		if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != name {
			t.Errorf("To named %q reads back as %v, %v", name, to, err)
		}
	}
}

// An editor's subject is text, whatever it looks like: one shaped like an
// encoded word is neither cut up, nor mangled, nor decoded by the
// reader's mail program into something else.
func TestSubjectThatLooksEncoded(t *testing.T) {
	for _, s := range []string{
		"=?UTF-8?q?" + strings.Repeat("a", 55) + "=xy", // once made Compose panic
		"=?UTF-8?q?" + strings.Repeat("a", 70),         // once lost two octets
		"Price =?utf-8?q?x?= test",                     // was decoded to "Price x test"
		"a =? b ?= c",
		"=?",
	} {
		checkSubject(t, s, "")
	}
}

// Subjects and names of every length around the limits, with characters
// of one to four octets on either side of each cut, and random mixes.
func TestSubjectShapes(t *testing.T) {
	var subjects []string
	for n := 60; n <= 80; n++ {
		subjects = append(subjects, strings.Repeat("a", n), strings.Repeat("é", n), strings.Repeat("a", n)+" b")
		for k := range 4 {
			subjects = append(subjects, strings.Repeat("a", n-9-k)+"🌊"+strings.Repeat("b", 10),
				"Subj "+strings.Repeat("a", n-9-k)+"日本"+strings.Repeat("b", 10))
		}
	}
	subjects = append(subjects, "", "é", "🌊", strings.Repeat("🌊", 40), strings.Repeat("x", 200), strings.Repeat("é", 200))
	for _, s := range subjects {
		checkSubject(t, s, "")
	}
	for _, n := range []string{"Zoë", strings.Repeat("é", 80), strings.Repeat("a", 80), "A, B", "a =?utf-8?q?x?= b", strings.Repeat("🌊", 30)} {
		checkSubject(t, "Hello", n)
	}
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "b", " ", "=", "?", "_", "é", "日", "🌊", `"`, ",", "<", "=?", "?=", "Q", "UTF-8", "\t", "x"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(60) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		checkSubject(t, b.String(), "")
		if t.Failed() {
			return
		}
	}
}
