package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ageMail moves subscriber id's last confirmation mail, and the request
// waiting with it, back past ConfirmInterval, as if the reader waited that
// long, and returns the link that mail carried (its token is signed for
// the mail's time).
func (e *signupEnv) ageMail(id int64) string {
	e.t.Helper()
	sent := stampOf(e.t, e.store, id)
	old := time.Now().UTC().Add(-ConfirmInterval - time.Minute)
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, old, id); err != nil {
		e.t.Fatal(err)
	}
	var at time.Time
	err := e.store.db.Read.QueryRow(`SELECT requested_at FROM signup_requests WHERE subscriber_id = ?`, id).Scan(&at)
	if err == nil {
		_, err = e.store.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`,
			at.Add(old.Sub(sent)), id)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		e.t.Fatal(err)
	}
	return e.c.Signer.Sign(ConfirmPurpose(old), id, ConfirmTTL)
}

// reconcile runs the confirmations reconciler and the tasks it queued.
func (e *signupEnv) reconcile() {
	e.t.Helper()
	if _, err := e.store.Reconcile(context.Background(), e.q); err != nil {
		e.t.Fatal(err)
	}
	e.sendQueued()
}

// A second signup within ConfirmInterval of the first mail sends no mail,
// and loses nothing: the first mail's link confirms its lists and fills
// the empty name too. A third one does not rename the request.
func TestSignupWithinIntervalJoinsTheMailOut(t *testing.T) {
	e := newSignupEnv(t)
	addr := "twice@example.com"
	id, token := e.pending(addr)
	e.signup(&Signup{Email: addr, Name: "Twice", Lists: []string{"sport"}})
	e.signup(&Signup{Email: addr, Name: "Someone Else", Lists: []string{"sport"}})
	if text, _ := e.takeMail(addr); text != "" {
		t.Errorf("a second mail within %v:\n%s", ConfirmInterval, text)
	}
	got, err := e.click(token)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"news", "sport"}, got.Lists); diff != "" || got.Name != "Twice" {
		t.Errorf("the first link lost the second signup: name %q, lists (-want +got):\n%s", got.Name, diff)
	}
	// Clicked: nothing is due any more, even once the interval is over.
	e.ageMail(id)
	e.reconcile()
	if text, _ := e.takeMail(addr); text != "" {
		t.Errorf("a mail after the click applied everything:\n%s", text)
	}
}

// A confirmed reader who signs up for another list within ConfirmInterval
// of their last mail gets no mail at once; the link they followed applies
// it when followed again, and if they do not, the reconciler mails them
// once the interval is over, naming the list, and never twice.
func TestSignupWithinIntervalOfConfirmedReader(t *testing.T) {
	for _, again := range []bool{true, false} {
		t.Run(map[bool]string{true: "old link again", false: "mail after the interval"}[again], func(t *testing.T) {
			e := newSignupEnv(t)
			addr := "kim@example.com"
			id, token := e.pending(addr)
			if _, err := e.click(token); err != nil {
				t.Fatal(err)
			}
			e.signup(&Signup{Email: addr, Name: "Kim", Lists: []string{"sport"}})
			e.reconcile() // within the interval: nothing due yet
			if text, _ := e.takeMail(addr); text != "" {
				t.Fatalf("a mail within %v:\n%s", ConfirmInterval, text)
			}
			if again {
				got, err := e.click(token)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"news", "sport"}, got.Lists); diff != "" || got.Name != "Kim" {
					t.Errorf("the old link again: name %q, lists (-want +got):\n%s", got.Name, diff)
				}
				return
			}
			old := e.ageMail(id)
			e.reconcile()
			text, newer := e.takeMail(addr)
			if !strings.Contains(text, "(Sport)") {
				t.Fatalf("no mail naming Sport once the interval was over:\n%s", text)
			}
			e.reconcile()
			if text, _ := e.takeMail(addr); text != "" {
				t.Errorf("a second mail from the reconciler:\n%s", text)
			}
			if _, err := e.click(old); err == nil {
				t.Error("the older link still works after the newer mail")
			}
			got, err := e.click(newer)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"news", "sport"}, got.Lists); diff != "" || got.Name != "Kim" {
				t.Errorf("the new link: name %q, lists (-want +got):\n%s", got.Name, diff)
			}
		})
	}
}

// A signup that comes while the first mail still waits to be composed is
// named in it, so no second mail is due; one asking for nothing new (a
// form sent twice) stores nothing. Someone typing the address over and
// over, a new list each time, gets it one mail per interval.
func TestSignupWithinIntervalMailsAtMostOncePerInterval(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &List{Slug: "arts", Name: "Arts", Public: true}); err != nil {
		t.Fatal(err)
	}
	addr := "bomb@example.com"
	signups := NewSignups(e.store, e.q, nil)
	for _, l := range []string{"news", "sport"} {
		if err := signups.Signup(ctx, &Signup{Email: addr, Lists: []string{l}}); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	e.sendQueued()
	text, _ := e.takeMail(addr)
	if !strings.Contains(text, "(News, Sport)") {
		t.Fatalf("the first mail does not name both lists:\n%s", text)
	}
	var id int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = ?`, addr).Scan(&id); err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: addr, Lists: []string{"news", "sport"}})
	e.ageMail(id)
	e.reconcile()
	if text, _ := e.takeMail(addr); text != "" {
		t.Fatalf("a mail for nothing the first one did not name:\n%s", text)
	}

	e.signup(&Signup{Email: addr, Lists: []string{"arts"}}) // after the interval: at once
	if text, _ := e.takeMail(addr); !strings.Contains(text, "Arts") {
		t.Fatalf("no mail after the interval:\n%s", text)
	}
	for _, l := range []string{"more", "extra"} {
		if err := e.store.CreateList(ctx, &List{Slug: l, Name: l, Public: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []string{"more", "extra"} {
		e.signup(&Signup{Email: addr, Lists: []string{l}})
		e.reconcile()
	}
	if text, _ := e.takeMail(addr); text != "" {
		t.Errorf("a mail within the interval:\n%s", text)
	}
}

// The latest confirmation link of a reader who unsubscribed since says
// so, rather than that it is broken; it changes nothing.
func TestConfirmLinkAfterUnsubscribe(t *testing.T) {
	e := newSignupEnv(t)
	id, token := e.pending("gone@example.com")
	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Unsubscribe(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.click(token); !errors.Is(err, ErrUnsubscribedSince) {
		t.Errorf("the link after an unsubscribe: %v, want ErrUnsubscribedSince", err)
	}
	if got := readRow(t, e.store, id); got.Status != StatusUnsubscribed {
		t.Errorf("status %s after the link, want unsubscribed", got.Status)
	}
	if _, err := e.click(e.c.Signer.Sign(TokenConfirm+"@1", id, ConfirmTTL)); errors.Is(err, ErrUnsubscribedSince) || err == nil {
		t.Errorf("a link of another mail: %v, want a stale link", err)
	}
}
