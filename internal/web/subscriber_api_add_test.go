package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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

// The token API's add of a pending reader (the default status) mails them
// the confirmation, as the admin's Add does, through the same store call:
// it sent none, and the API has no other way to ask them, so the reader
// stayed pending for good. Its link confirms them, and the once in
// ConfirmInterval rule counts it: the admin's resend right after is
// refused. A reader added confirmed, unsubscribed or bounced is mailed
// nothing.
func TestAPIAddMailsAPendingReaderTheConfirmation(t *testing.T) {
	e := newAdminSubEnv(t)
	for _, body := range []string{
		`{"email":"ann@example.com","name":"Ann","lists":["daily-news"]}`,
		`{"email":"bob@example.com","status":"confirmed","lists":["daily-news"]}`,
		`{"email":"cy@example.com","status":"unsubscribed"}`,
		`{"email":"di@example.com","status":"bounced","lists":["weekend-culture"]}`,
	} {
		if w := e.api("POST", "/api/v1/subscribers", body); w.Code != http.StatusCreated {
			t.Fatalf("add %s = %d %s", body, w.Code, w.Body)
		}
	}
	e.runConfirmations()
	mails := e.sent.all()
	if len(mails) != 1 || !cmp.Equal(mails[0].To, []string{"ann@example.com"}) {
		t.Fatalf("mails after the adds: %+v, want one, to ann@example.com", mails)
	}
	link := confirmLink.FindStringSubmatch(mails[0].Raw)
	if link == nil {
		t.Fatalf("the confirmation has no link:\n%s", mails[0].Raw)
	}
	ann := e.byEmail("ann@example.com").ID
	resp, _ := e.a.postBody(fmt.Sprintf("/admin/subscribers/%d/confirmation", ann), url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the admin's resend right after the API's add = %d, want 429", resp.StatusCode)
	}
	e.do("GET", link[1], "", "")
	if got := e.status(ann); got != subscribers.StatusConfirmed {
		t.Errorf("the confirmation's link left the reader %s", got)
	}
}

// The token API's add asks for a list for a reader to be mailed, pending
// or confirmed, as the admin's Add does (noListMessage): such a reader
// was added on no list without a word. The refusal names the other faults
// too, and stores no one. A reader added unsubscribed or bounced may be on
// no list, and so may anyone while the install has no list yet.
func TestAPIAddNeedsAList(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, c := range []struct {
		body string
		want map[string]string
	}{
		{`{"email":"ann@example.com"}`, map[string]string{"lists": apiNoList}},
		{`{"email":"ann@example.com","status":"confirmed","lists":[]}`, map[string]string{"lists": apiNoList}},
		{`{"email":"ann@example.com","status":"pending","lists":[" "]}`, map[string]string{"lists": apiNoList}},
		{`{"email":"not-an-address","frequency":"hourly"}`,
			map[string]string{"email": "enter an address like name@example.com", "frequency": "use daily or weekly", "lists": apiNoList}},
	} {
		e.checkFaults("POST", "/api/v1/subscribers", c.body, c.want)
	}
	if sub, err := e.store.ByEmail(t.Context(), "ann@example.com"); err == nil {
		t.Fatalf("a refused add stored %+v", sub)
	}
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"bo@example.com","status":"bounced"}`); w.Code != http.StatusCreated {
		t.Errorf("a bounced reader on no list = %d %s, want 201", w.Code, w.Body)
	}
	for _, slug := range []string{"daily-news", "weekend-culture", "editors-desk"} {
		if w := e.api("DELETE", "/api/v1/lists/"+slug, ""); w.Code != http.StatusNoContent {
			t.Fatalf("delete %s = %d %s", slug, w.Code, w.Body)
		}
	}
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"ann@example.com","status":"confirmed"}`); w.Code != http.StatusCreated {
		t.Errorf("an add on no list with no list to choose = %d %s, want 201", w.Code, w.Body)
	}
}
