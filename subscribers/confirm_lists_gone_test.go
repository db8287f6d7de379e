package subscribers

import (
	"context"
	"errors"
	"testing"
)

// A confirmation link followed after every list it asked for was deleted
// made a pending reader confirmed on no list ("You're subscribed" for
// nothing). It now confirms nothing and changes nothing: ErrListsGone,
// with the reader as they are, at every click. A confirmed reader asked
// for a list deleted since keeps their lists and their request. When some
// of the lists are left, the click confirms those. A pending reader an
// editor added on no list asked for none, and confirms as before.
func TestConfirmLinkOfDeletedListsConfirmsNothing(t *testing.T) {
	ctx := context.Background()
	e := tidesEnv(t) // news, staff, sport, weekly, tides

	// A new address's signup: its lists are pending subscriptions, which
	// the list's deletion takes away.
	id, token := e.pending("ann@example.com")
	if err := e.store.DeleteList(ctx, "news"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		sub, err := e.click(token)
		if !errors.Is(err, ErrListsGone) {
			t.Fatalf("click %d: err = %v, want ErrListsGone", i+1, err)
		}
		if sub == nil || sub.ID != id || sub.Status != StatusPending {
			t.Fatalf("click %d: reader %+v, want pending %d", i+1, sub, id)
		}
		if r := readRow(t, e.store, id); r.Status != StatusPending || r.Confirmed || r.Subscriptions != "" {
			t.Fatalf("click %d changed the reader: %+v", i+1, r)
		}
	}

	// A confirmed reader asks for one more list, deleted before the click.
	bo, err := e.store.Create(ctx, &NewSubscriber{Email: "bo@example.com", Status: StatusConfirmed, Lists: []string{"weekly"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: bo.Email, Lists: []string{"sport"}})
	_, boToken := e.takeMail(bo.Email)
	if boToken == "" {
		t.Fatal("no confirmation to bo")
	}
	if err := e.store.DeleteList(ctx, "sport"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		sub, err := e.click(boToken)
		if !errors.Is(err, ErrListsGone) || sub == nil || sub.Status != StatusConfirmed {
			t.Fatalf("bo's click %d: %+v, %v; want the confirmed reader and ErrListsGone", i+1, sub, err)
		}
		if r := readRow(t, e.store, bo.ID); r.Subscriptions != "weekly:active" {
			t.Fatalf("bo's click %d changed their lists: %q", i+1, r.Subscriptions)
		}
	}

	// Some lists left: those are confirmed, as always.
	cy, cyToken := func() (int64, string) {
		e.signup(&Signup{Email: "cy@example.com", Lists: []string{"weekly", "tides"}})
		_, tok := e.takeMail("cy@example.com")
		id, _ := e.c.Signer.claimedID(tok)
		return id, tok
	}()
	if err := e.store.DeleteList(ctx, "tides"); err != nil {
		t.Fatal(err)
	}
	sub, err := e.click(cyToken)
	if err != nil || sub.Status != StatusConfirmed {
		t.Fatalf("cy's click: %+v, %v", sub, err)
	}
	if r := readRow(t, e.store, cy); r.Subscriptions != "weekly:active" {
		t.Fatalf("cy's lists: %q", r.Subscriptions)
	}

	// The control: a pending reader an editor added on no list.
	dee, err := e.store.Create(ctx, &NewSubscriber{Email: "dee@example.com", Status: StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.QueueConfirm(ctx, dee.ID, e.q); err != nil {
		t.Fatal(err)
	}
	e.sendQueued()
	_, deeToken := e.takeMail(dee.Email)
	if sub, err := e.click(deeToken); err != nil || sub.Status != StatusConfirmed {
		t.Fatalf("the editor's reader on no list: %+v, %v; want confirmed", sub, err)
	}
}
