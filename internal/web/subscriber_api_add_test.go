package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The token API's add refuses lists given with the status unsubscribed,
// as its change does: such a reader is on no list, and the lists were
// dropped without a word (201 with lists []). The refusal names the other
// faults with it, and stores no one; the same reader without lists is
// added.
func TestAPIAddRefusesListsOfAnUnsubscribedReader(t *testing.T) {
	e := newSubEnv(t, 0)
	const why = `an unsubscribed reader is on no list: to put them on lists, set "status" to "confirmed" or "pending", or leave "lists" out`
	e.checkFaults("POST", "/api/v1/subscribers", `{"email":"st@example.com","status":"unsubscribed","lists":["daily-news"]}`,
		map[string]string{"lists": why})
	e.checkFaults("POST", "/api/v1/subscribers", `{"email":"not-an-address","status":"unsubscribed","lists":["nope"]}`,
		map[string]string{"email": "enter an address like name@example.com", "lists": why})
	if sub, err := e.store.ByEmail(t.Context(), "st@example.com"); err == nil {
		t.Fatalf("a refused add stored %+v", sub)
	}
	w := e.api("POST", "/api/v1/subscribers", `{"email":"st@example.com","status":"unsubscribed"}`)
	var sub subscribers.Subscriber
	if err := json.Unmarshal(w.Body.Bytes(), &sub); err != nil || w.Code != http.StatusCreated ||
		sub.Status != subscribers.StatusUnsubscribed || !cmp.Equal(sub.Lists, []string{}) {
		t.Errorf("an unsubscribed reader without lists = %d %s, want 201 on no list", w.Code, w.Body)
	}
}

// A retried add, or one of an address a reader has in any case, is a 409
// that names the reader who has it, so that a client goes on with them;
// it said only that one exists. An erased address keeps its own words
// and names no one.
func TestAPIAddConflictNamesTheReader(t *testing.T) {
	e := newSubEnv(t, 0)
	const body = `{"email":"ann@example.com","status":"confirmed","lists":["daily-news"]}`
	w := e.api("POST", "/api/v1/subscribers", body)
	var ann subscribers.Subscriber
	if err := json.Unmarshal(w.Body.Bytes(), &ann); err != nil || w.Code != http.StatusCreated {
		t.Fatalf("add = %d %s", w.Code, w.Body)
	}
	want := errorBody{Error: "conflict", Message: fmt.Sprintf("A subscriber with this address exists already: subscriber %d (/api/v1/subscribers/%d).", ann.ID, ann.ID)}
	for _, again := range []string{body, `{"email":"ANN@example.com","lists":["weekend-culture"]}`} {
		w := e.api("POST", "/api/v1/subscribers", again)
		var got errorBody
		json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != http.StatusConflict || !cmp.Equal(got, want) {
			t.Errorf("add again %s = %d %s, want 409 %q", again, w.Code, w.Body, want.Message)
		}
	}
	if w := e.api("DELETE", fmt.Sprintf("/api/v1/subscribers/%d", ann.ID), ""); w.Code != http.StatusNoContent {
		t.Fatalf("erase = %d %s", w.Code, w.Body)
	}
	w = e.api("POST", "/api/v1/subscribers", body)
	var got errorBody
	json.Unmarshal(w.Body.Bytes(), &got)
	if w.Code != http.StatusConflict || got.Message != "This address was erased at its owner's request; only they can sign up again." {
		t.Errorf("add of an erased address = %d %s, want 409 saying it was erased", w.Code, w.Body)
	}
}
