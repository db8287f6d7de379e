package web

import (
	"encoding/json"
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
