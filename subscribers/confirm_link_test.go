package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// stampOf reads subscriber id's confirm_sent_at.
func stampOf(t *testing.T, s *Store, id int64) time.Time {
	t.Helper()
	var at time.Time
	if err := s.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE id = ?`, id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

// pending signs addr up for news and returns the new reader's id and the
// token of the link mailed to them.
func (e *signupEnv) pending(addr string) (int64, string) {
	e.t.Helper()
	e.signup(&Signup{Email: addr, Lists: []string{"news"}})
	text, token := e.takeMail(addr)
	if text == "" {
		e.t.Fatalf("no confirmation mail to %s", addr)
	}
	id, _ := e.c.Signer.claimedID(token)
	return id, token
}

// The link of an older confirmation mail does not apply the request a
// newer mail asks the reader to confirm: the reader consents to what the
// mail they follow showed. The newer mail's link does, and the older one
// stays stale after it.
func TestOlderConfirmLinkIsStale(t *testing.T) {
	e := newSignupEnv(t)
	addr := "ann@example.com"
	id, token := e.pending(addr)
	if _, err := e.c.Signer.Verify(ConfirmPurpose(stampOf(t, e.store, id)), token); err != nil {
		t.Fatalf("the mailed link is not signed for its mail: %v", err)
	}
	// The first mail went out longer than ConfirmInterval ago: move its
	// time back, and its link with it.
	old := stampOf(t, e.store, id).UTC().Add(-ConfirmInterval - time.Minute)
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, old, id); err != nil {
		t.Fatal(err)
	}
	older := e.c.Signer.Sign(ConfirmPurpose(old), id, ConfirmTTL)
	if _, err := e.click(older); err != nil {
		t.Fatalf("the latest link before the second signup: %v", err)
	}
	// That click confirmed the reader on news. Now they (or someone typing
	// their address) ask for sport too.
	e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
	second, newer := e.takeMail(addr)
	if second == "" {
		t.Fatal("no second mail after the interval")
	}
	before := readRow(t, e.store, id)
	if before.Subscriptions != "news:active" {
		t.Fatalf("before the second click: %+v", before)
	}
	for range 2 {
		if _, err := e.click(older); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			t.Fatalf("the older link after a newer mail: %v, want a stale link", err)
		}
		if diff := cmp.Diff(before, readRow(t, e.store, id)); diff != "" {
			t.Errorf("the older link changed the reader (-before +after):\n%s", diff)
		}
	}
	if _, err := e.click(newer); err != nil {
		t.Fatal(err)
	}
	if got := readRow(t, e.store, id); got.Subscriptions != "news:active sport:active" {
		t.Errorf("after the newer link: %+v", got)
	}
	if _, err := e.click(older); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("the older link after the newer one: %v, want a stale link", err)
	}
	if _, err := e.click(newer); err != nil {
		t.Errorf("the newer link a second time: %v", err)
	}
}

// A link mailed before links named their mail (signed for the bare
// purpose) still works when it was made within the hour of the reader's
// latest mail, and not when it is older than that; a link that is not a
// token, or is altered, is stale without touching the reader.
func TestConfirmLinkFromBeforeLinksNamedTheirMail(t *testing.T) {
	e := newSignupEnv(t)
	id, _ := e.pending("bo@example.com")
	signer := e.c.Signer
	defer func() { signer.now = time.Now }()

	signer.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	if _, err := e.click(signer.Sign(TokenConfirm, id, ConfirmTTL)); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("a bare link made 2 hours before the latest mail: %v, want a stale link", err)
	}
	signer.now = time.Now
	good := signer.Sign(TokenConfirm, id, ConfirmTTL)
	for _, bad := range []string{"", "abc", good[:len(good)-1] + map[bool]string{true: "B", false: "A"}[good[len(good)-1] == 'A'],
		signer.Sign(TokenUnsubscribe, id, ConfirmTTL), signer.Sign(TokenConfirm, id+1, ConfirmTTL)} {
		if _, err := e.click(bad); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			t.Errorf("link %q: %v, want a stale link", bad, err)
		}
	}
	if got := readRow(t, e.store, id); got.Status != StatusPending {
		t.Fatalf("refused links changed the reader: %+v", got)
	}
	if sub, err := e.click(good); err != nil || sub.Status != StatusConfirmed {
		t.Fatalf("a bare link made with the latest mail: %v, %v", sub, err)
	}
}

// A newer confirmation mail flagged between the check of a link and the
// transaction that confirms makes the link stale: the click changes
// nothing, and the newer mail's link then works.
func TestConfirmLinkLosesToMailFlaggedMeanwhile(t *testing.T) {
	e := newSignupEnv(t)
	id, token := e.pending("cy@example.com")
	linkChecked = func() {
		if err := e.store.QueueConfirm(context.Background(), id, nil); err != nil {
			t.Error(err)
		}
	}
	_, err := e.click(token)
	linkChecked = nil
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("a link whose mail was replaced while it was checked: %v, want a stale link", err)
	}
	if got := readRow(t, e.store, id); got.Status != StatusPending {
		t.Fatalf("the stale click changed the reader: %+v", got)
	}
	newer := e.c.Signer.Sign(ConfirmPurpose(stampOf(t, e.store, id)), id, ConfirmTTL)
	if sub, err := e.click(newer); err != nil || sub.Status != StatusConfirmed {
		t.Fatalf("the newer mail's link: %+v, %v", sub, err)
	}
}
