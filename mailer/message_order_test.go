package mailer

import (
	"bytes"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"
)

// The head's fields come in one order, every time: the library writes
// them from a map, and two mails composed alike came out with their
// fields shuffled differently.
func TestComposeWritesTheHeadInOneOrder(t *testing.T) {
	msg := &Message{
		From:    &mail.Address{Name: "Harbour Gazette", Address: "news@harbour.example"},
		To:      &mail.Address{Address: "ann@example.com"},
		Subject: "Tides this week", Text: "Hello", HTML: "<p>Hello</p>",
		Date: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC),
		Headers: [][2]string{
			{"X-Campaign", "7"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
			{"Auto-Submitted", "auto-generated"},
			{"List-Unsubscribe", "<https://news.example/u/abc>"},
			{"Feedback-Id", "7:news"},
			{"Reply-To", "letters@harbour.example"},
			{"List-Id", "News <news.harbour.example>"},
		},
	}
	want := []string{"From", "To", "Reply-To", "Subject", "Date", "Message-Id",
		"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted",
		"Feedback-Id", "X-Campaign", "Mime-Version", "Content-Type"}
	for range 20 {
		raw, err := msg.Compose()
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		var got []string
		for _, line := range strings.Split(string(head), "\r\n") {
			if line[0] == ' ' || line[0] == '\t' {
				continue
			}
			name, _, _ := strings.Cut(line, ":")
			got = append(got, name)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("head's fields = %q, want %q", got, want)
		}
		if _, err := mail.ReadMessage(bytes.NewReader(raw)); err != nil {
			t.Fatalf("the composed mail does not read: %v", err)
		}
	}
}
