package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// checkFaults sends body to the token API and wants a 422 whose fields
// are want, with the code and message every refusal has.
func (e *subEnv) checkFaults(method, path, body string, want map[string]string) {
	e.t.Helper()
	w := e.api(method, path, body)
	var got errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusUnprocessableEntity {
		e.t.Errorf("%s %s %s = %d %s, want 422 JSON", method, path, body, w.Code, w.Body)
		return
	}
	if diff := cmp.Diff(errorBody{Error: "validation", Message: "Some fields need fixing.", Fields: want}, got); diff != "" {
		e.t.Errorf("%s %s %s: answer (-want +got):\n%s", method, path, body, diff)
	}
}

// The token API's add names the unknown lists with the other fields at
// fault in one 422, as the signup does: it used to stop at the address
// and name the list only once that was fixed. A private list is no fault
// here (an admin adds to any list), and a refused add stores nothing.
func TestAPIAddNamesListsWithOtherFaults(t *testing.T) {
	e := newSubEnv(t, 0)
	long := strings.Repeat("é", 70)
	for _, c := range []struct {
		body string
		want map[string]string
	}{
		{`{"email":"not-an-address","lists":["nope"]}`,
			map[string]string{"email": "enter an address like name@example.com", "lists": `there is no list "nope"`}},
		{`{"email":"ann@example.com","status":"gone","frequency":"hourly","lists":[" Nope ","editors-desk","Daily-News","NOPE","nada"]}`,
			map[string]string{"status": "use pending, confirmed, unsubscribed or bounced", "frequency": "use daily or weekly",
				"lists": `there are no lists "Nope" and "nada"`}},
		{`{"email":"ann@example.com","name":5,"lists":["nope"]}`, // a member of the wrong kind
			map[string]string{"name": "must be a string", "lists": `there is no list "nope"`}},
		{`{"email":"not-an-address","lists":"daily-news"}`, // the decoder's word on lists stands
			map[string]string{"email": "enter an address like name@example.com", "lists": `must be a list of strings, like ["daily-news"]`}},
	} {
		e.checkFaults("POST", "/api/v1/subscribers", c.body, c.want)
	}

	// A long slug, and several, in the store's words: those it gives once
	// the address is right.
	lists := `["` + long + `","nope","daily-news","nada"]`
	w := e.api("POST", "/api/v1/subscribers", `{"email":"ann@example.com","lists":`+lists+`}`)
	store := answerFields(t, w.Body.Bytes())["lists"]
	if w.Code != http.StatusUnprocessableEntity || !strings.HasSuffix(store, `…", "nope" and "nada"`) {
		t.Fatalf("the store's answer to unknown lists = %d %s", w.Code, w.Body)
	}
	e.checkFaults("POST", "/api/v1/subscribers", `{"email":"not-an-address","lists":`+lists+`}`,
		map[string]string{"email": "enter an address like name@example.com", "lists": store})

	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d subscribers (%v) after refused adds, want none", n, err)
	}
	w = e.api("POST", "/api/v1/subscribers", `{"email":"ann@example.com","status":"confirmed","lists":["Daily-News","editors-desk"]}`)
	var sub subscribers.Subscriber
	if err := json.Unmarshal(w.Body.Bytes(), &sub); err != nil || w.Code != http.StatusCreated ||
		!cmp.Equal(sub.Lists, []string{"daily-news", "editors-desk"}) {
		t.Errorf("a good add = %d %s, want 201 on daily-news and editors-desk", w.Code, w.Body)
	}
}

// answerFields reads the fields of an error answer.
func answerFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var got errorBody
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return got.Fields
}

// The token API's change names the unknown lists with the other fields
// at fault in one 422 too, and changes nothing; the lists' own fault (an
// unsubscribed reader on a list) is the one said of them.
func TestAPIPatchNamesListsWithOtherFaults(t *testing.T) {
	e := newSubEnv(t, 0)
	id := e.addConfirmed("ann@example.com")
	path := fmt.Sprintf("/api/v1/subscribers/%d", id)
	for _, c := range []struct {
		body string
		want map[string]string
	}{
		{`{"email":"not-an-address","lists":["nope"]}`,
			map[string]string{"email": "enter an address like name@example.com", "lists": `there is no list "nope"`}},
		{`{"name":"Ann","frequency":"hourly","lists":["daily-news","nope","nada"]}`,
			map[string]string{"frequency": "use daily or weekly", "lists": `there are no lists "nope" and "nada"`}},
		{`{"status":[],"lists":["nope"]}`,
			map[string]string{"status": "must be a string", "lists": `there is no list "nope"`}},
		{`{"email":"not-an-address","status":"unsubscribed","lists":["nope"]}`,
			map[string]string{"email": "enter an address like name@example.com",
				"lists": `an unsubscribed reader is on no list: to put them on lists, set "status" to "confirmed" or "pending" in this request or an earlier one`}},
	} {
		e.checkFaults("PATCH", path, c.body, c.want)
	}
	sub, err := e.store.Get(t.Context(), id)
	if err != nil || sub.Email != "ann@example.com" || sub.Status != subscribers.StatusConfirmed ||
		!cmp.Equal(sub.Lists, []string{"daily-news", "weekend-culture"}) {
		t.Errorf("after refused changes the reader is %+v (%v), want as added", sub, err)
	}
	if w := e.api("PATCH", "/api/v1/subscribers/999999", `{"email":"not-an-address","lists":["nope"]}`); w.Code != http.StatusNotFound {
		t.Errorf("a change to no reader = %d %s, want 404", w.Code, w.Body)
	}

	w := e.api("PATCH", path, `{"name":"Ann Lee","lists":["editors-desk"]}`)
	if err := json.Unmarshal(w.Body.Bytes(), &sub); err != nil || w.Code != http.StatusOK ||
		sub.Name != "Ann Lee" || !cmp.Equal(sub.Lists, []string{"editors-desk"}) {
		t.Errorf("a good change = %d %s, want 200, Ann Lee on editors-desk", w.Code, w.Body)
	}
}
