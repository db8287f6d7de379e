package subscribers

import (
	"context"
	"errors"
	"testing"
)

// Unsubscribe and preferences links never expire and name only the
// reader's id: erasing the newest reader must not free that id for the
// next signup, or the erased person's old links would open and change the
// new reader's preferences and unsubscribe them.
func TestErasedReadersLinksOpenNoOneElse(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	signer := NewSigner([]byte("test secret that is long enough!"))
	if _, err := s.Create(ctx, &NewSubscriber{Email: "first@example.com", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	old, err := s.Create(ctx, &NewSubscriber{Email: "erased@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	prefs := signer.Sign(TokenPreferences, old.ID, 0) // in every mail they were sent
	unsub := signer.Sign(TokenUnsubscribe, old.ID, 0)
	if err := s.Erase(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	next, err := s.Create(ctx, &NewSubscriber{Email: "next@example.com", Name: "Nell Next", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if next.ID == old.ID {
		t.Errorf("the next reader got the erased reader's id %d", old.ID)
	}
	id, err := signer.Verify(TokenPreferences, prefs)
	if err != nil {
		t.Fatal(err)
	}
	if sub, _, err := s.PreferencesOf(ctx, id); !errors.Is(err, errNoSubscriber) {
		t.Errorf("the erased reader's preferences link: %v, %v; want errNoSubscriber", sub, err)
	}
	id, err = signer.Verify(TokenUnsubscribe, unsub)
	if err != nil {
		t.Fatal(err)
	}
	s.Unsubscribe(ctx, id) // whatever it answers, nobody else may change
	if got, err := s.Get(ctx, next.ID); err != nil || got.Status != StatusConfirmed {
		t.Errorf("after the erased reader's unsubscribe link, %s is %v (%v)", next.Email, got, err)
	}
}
