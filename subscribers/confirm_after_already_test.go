package subscribers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// signupMailedAgo signs in up, its mail going out d before now: the
// signup's task is left, the mail's time moved back by d, and the
// reconciler, which finds the mail lost, sends it (its link is signed
// for the time moved back, as a mail sent d ago is). It returns the text
// of the mail to in.Email and its confirmation token, "" when it has
// none.
func (e *signupEnv) signupMailedAgo(in *Signup, d time.Duration) (text, token string) {
	e.t.Helper()
	signups := NewSignups(e.store, e.q, nil)
	err := signups.Signup(context.Background(), in)
	signups.Close()
	if err != nil {
		e.t.Fatal(err)
	}
	e.ageMailBy(in.Email, d)
	e.reconcile()
	raw, ok := e.box[in.Email]
	if !ok {
		e.t.Fatalf("no mail to %s", in.Email)
	}
	delete(e.box, in.Email)
	text = mailtest.Parse(e.t, raw).Text
	if m := confirmPath.FindStringSubmatch(text); m != nil {
		token = m[1]
	}
	return text, token
}

// The already-subscribed mail replaces no confirmation link: the link of
// the confirmation a reader confirmed with still answers for them after
// it, changing nothing, until it expires, and only for them; a newer
// confirmation ends it, and a request of lists waiting (held for the next
// mail's link) makes it stale as it was, since only a newer link applies
// that request.
func TestConfirmLinkOutlivesAlreadySubscribedMail(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &List{Slug: "tides", Name: "Tides", Public: true}); err != nil {
		t.Fatal(err)
	}
	ago := ConfirmInterval + time.Minute
	_, token := e.signupMailedAgo(&Signup{Email: "alice@example.com", Lists: []string{"sport"}}, ago)
	_, other := e.signupMailedAgo(&Signup{Email: "bob@example.com", Lists: []string{"sport"}}, ago)
	for _, tok := range []string{token, other} {
		if _, err := e.click(tok); err != nil {
			t.Fatalf("first click: %v", err)
		}
	}
	id, _ := e.c.Signer.claimedID(token)
	bob, _ := e.c.Signer.claimedID(other)
	var linkAt time.Time
	if err := e.store.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE id = ?`, id).Scan(&linkAt); err != nil {
		t.Fatal(err)
	}

	text, tok := e.signupMailedAgo(&Signup{Email: "alice@example.com", Lists: []string{"sport"}}, 0)
	if tok != "" || !strings.Contains(text, "You are already subscribed") {
		t.Fatalf("second mail, with confirmation token %q:\n%s", tok, text)
	}
	for i := range 2 {
		sub, err := e.click(token)
		if err != nil || sub.ID != id || sub.Status != StatusConfirmed {
			t.Fatalf("click %d after the already-subscribed mail: %+v, %v; want alice, confirmed", i+1, sub, err)
		}
	}
	stale := func(what, tok string) {
		t.Helper()
		if sub, err := e.click(tok); !errors.Is(err, errStaleLink) {
			t.Errorf("%s: %+v, %v; want the stale link's error", what, sub, err)
		}
	}
	stale("her link's time signed for bob", e.c.Signer.Sign(ConfirmPurpose(linkAt), bob, ConfirmTTL))
	stale("another time signed for her", e.c.Signer.Sign(ConfirmPurpose(linkAt.Add(time.Microsecond)), id, ConfirmTTL))
	stale("her link's time under another purpose", e.c.Signer.Sign(TokenPreferences, id, ConfirmTTL))

	// Expired: a week on, it is no link any more.
	now := e.c.Signer.now
	e.c.Signer.now = func() time.Time { return now().Add(ConfirmTTL + 2*time.Hour) }
	stale("her link once expired", token)
	e.c.Signer.now = now
	if _, err := e.click(token); err != nil {
		t.Fatalf("her link, unexpired: %v", err)
	}

	// A signup for a list she is not on, within the wait after the
	// already-subscribed mail: held for the next mail's link. Her old
	// link does not apply it, nor answer for her while it waits.
	e.signup(&Signup{Email: "alice@example.com", Lists: []string{"tides"}})
	if _, ok := e.box["alice@example.com"]; ok {
		t.Fatal("a mail within the wait")
	}
	stale("her link while a request of lists waits", token)
	var n int
	if err := e.store.db.Read.QueryRow(`SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = ? AND status = 'active'`, id).Scan(&n); err != nil || n != 1 {
		t.Errorf("alice is active on %d lists (%v), want 1: the old link applied the request", n, err)
	}
}
