package mailer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Page walks the outbox newest first from any name, even one no longer
// there, and back to the newest page.
func TestOutboxPage(t *testing.T) {
	o, err := NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := o.Send(context.Background(), "a@example.com", []string{"b@example.com"}, []byte("Subject: x\r\n\r\nx\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	n, err := o.List(0) // newest first
	if err != nil || len(n) != 5 {
		t.Fatalf("List = %v, %v", n, err)
	}
	for _, tc := range []struct {
		name          string
		before, after string
		want          OutboxPage
	}{
		{"newest", "", "", OutboxPage{Names: n[0:2], Total: 5, First: 1, Older: n[1]}},
		{"older than the second", n[1], "", OutboxPage{Names: n[2:4], Total: 5, First: 3, Older: n[3], Newer: n[2]}},
		{"older than the fourth", n[3], "", OutboxPage{Names: n[4:], Total: 5, First: 5, Newer: n[4]}},
		{"newer than the fifth", "", n[4], OutboxPage{Names: n[2:4], Total: 5, First: 3, Older: n[3], Newer: n[2]}},
		{"newer than the second: short, so the newest", "", n[1], OutboxPage{Names: n[0:2], Total: 5, First: 1, Older: n[1]}},
		{"older than a name gone", n[1][:len(n[1])-1], "", OutboxPage{Names: n[2:4], Total: 5, First: 3, Older: n[3], Newer: n[2]}},
		{"older than the oldest", n[4], "", OutboxPage{Names: []string{}, Total: 5}},
	} {
		got, err := o.Page(tc.before, tc.after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, *got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
