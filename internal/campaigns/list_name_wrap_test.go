package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// longListName is a list's name of several long words, shorter than a
// text line but too long to end the sentences that name it.
const longListName = "Quayside Harbourmasters Weekly Correspondence and Tide Table Notes"

// A welcome mail's footer says which list the reader joined, and a
// digest's text part starts with the list it is of. Both were wrapped
// word by word, so a long list name broke across two lines, where the
// confirmation's text part keeps a name on one (mailer.WrapProse).
func TestTextKeepsListNameWhole(t *testing.T) {
	t.Run("welcome footer", func(t *testing.T) {
		e, store := newWelcomeEnv(t)
		ctx := context.Background()
		e.exec(t, `UPDATE lists SET name = ?, welcome = ? WHERE slug = 'quay'`, longListName, "Welcome aboard.")
		e.exec(t, `UPDATE subscribers SET status = 'pending' WHERE id = ?`, e.reader)
		e.exec(t, `UPDATE subscriptions SET status = 'pending' WHERE subscriber_id = ?`, e.reader)
		if _, err := store.Confirm(ctx, e.reader); err != nil {
			t.Fatal(err)
		}
		tasks := e.q.take(queue.TypeWelcomeSend)
		if len(tasks) != 1 {
			t.Fatalf("%d welcome tasks, want 1", len(tasks))
		}
		if err := e.svc.HandleWelcome(ctx, tasks[0]); err != nil {
			t.Fatal(err)
		}
		text := mailtest.Parse(t, e.out.msgs[goldenReader.Address]).Text
		footer := text[strings.Index(text, "-- \n"):]
		checkNameWhole(t, footer, longListName, "You receive this because you joined the list “"+longListName+"”.")
	})
	t.Run("digest intro", func(t *testing.T) {
		e := newDigestEnv(t)
		news := e.exec(t, `INSERT INTO lists (slug, name, public, digest, created_at) VALUES ('tides', ?, 1, 'daily', ?)`,
			longListName, time.Now().Add(-30*24*time.Hour))
		e.reader(t, "r@x.example", "confirmed", "daily", news)
		e.article(t, news, "Ferry times", time.Now().Add(-time.Hour))
		d, err := e.svc.RunDigest(context.Background(), "tides")
		if err != nil || d.ID == 0 {
			t.Fatalf("digest: %+v, %v", d, err)
		}
		intro, _, _ := strings.Cut(e.digestText(t, d.ID), "\n\n")
		checkNameWhole(t, intro, longListName, "1 new story in "+longListName+" from ")
	})
}

// checkNameWhole checks that text's lines keep to 72 columns, that name
// stands whole on one of them, and that text joined into one line holds
// sentence.
func checkNameWhole(t *testing.T, text, name, sentence string) {
	t.Helper()
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	whole := false
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 72 && len(strings.Fields(l)) > 1 {
			t.Errorf("line of %d columns, want at most 72: %q", n, l)
		}
		whole = whole || strings.Contains(l, name)
	}
	if !whole {
		t.Errorf("the name %q is broken across lines:\n%s", name, text)
	}
	if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, sentence) {
		t.Errorf("the lines joined do not read %q:\n%s", sentence, text)
	}
}
