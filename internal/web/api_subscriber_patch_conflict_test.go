package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A PATCH giving a reader the address another reader has, in any case,
// is a 409 naming that reader, as an add of it is: it said only that
// another has it. Nothing changes. The reader's own address in another
// case is no conflict, and an erased address keeps its own words and
// names no one.
func TestAPIPatchConflictNamesTheReader(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	add := func(email string) *subscribers.Subscriber {
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: email, Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	ann, bo := add("ann@example.com"), add("bo@example.com")
	path := fmt.Sprintf("/api/v1/subscribers/%d", bo.ID)
	want := errorBody{Error: "conflict", Message: fmt.Sprintf("Another subscriber has this address: subscriber %d (/api/v1/subscribers/%d).", ann.ID, ann.ID)}
	for _, body := range []string{`{"email":"ann@example.com"}`, `{"email":" ANN@Example.com ","name":"Bo"}`} {
		w := e.api("PATCH", path, body)
		var got errorBody
		json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != http.StatusConflict || !cmp.Equal(got, want) {
			t.Errorf("PATCH %s = %d %s, want 409 %q", body, w.Code, w.Body, want.Message)
		}
	}
	if got, err := e.store.Get(ctx, bo.ID); err != nil || got.Email != "bo@example.com" || got.Name != "" {
		t.Fatalf("the refused PATCH changed Bo: %+v (%v)", got, err)
	}
	if w := e.api("PATCH", path, `{"email":"BO@example.com"}`); w.Code != http.StatusOK {
		t.Errorf("PATCH of Bo's own address in capitals = %d %s, want 200", w.Code, w.Body)
	}

	cy := add("cy@example.com")
	if err := e.store.Erase(ctx, cy.ID); err != nil {
		t.Fatal(err)
	}
	w := e.api("PATCH", path, `{"email":"cy@example.com"}`)
	var got errorBody
	json.Unmarshal(w.Body.Bytes(), &got)
	if w.Code != http.StatusConflict || got.Message != "This address was erased at its owner's request; only they can sign up again." {
		t.Errorf("PATCH to an erased address = %d %s, want 409 saying it was erased", w.Code, w.Body)
	}
}
