package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestUnsubscribePageOfAOneListReader: the page that stops all mail
// offers the preferences page as a way to "leave one list" only to a
// reader on several; a reader on one list, by the link of its mail or
// the link that stops everything, is offered another list or fewer
// mails there instead, since leaving their one list is what the button
// does already.
func TestUnsubscribePageOfAOneListReader(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	daily, err := e.store.ListBySlug(ctx, "daily-news")
	if err != nil {
		t.Fatal(err)
	}
	w := e.api("POST", "/api/v1/subscribers", `{"email":"solo@example.com","status":"confirmed","lists":["daily-news"]}`)
	var solo subscribers.Subscriber
	if err := json.Unmarshal(w.Body.Bytes(), &solo); w.Code != http.StatusCreated || err != nil {
		t.Fatalf("add subscriber: %d %v\n%s", w.Code, err, w.Body)
	}
	const leaveOne = "Only want to leave one list"
	const other = "Want a different list, or to hear from us less often?"
	for _, link := range []string{
		"/unsubscribe/" + e.signer.SignList(solo.ID, daily.ID),
		"/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, solo.ID, 0),
	} {
		body := e.do("GET", link, "", "").Body.String()
		if !strings.Contains(body, "Stop all mail to") || !strings.Contains(body, other) {
			t.Errorf("%s: the one-list reader's page does not offer another list or fewer mails:\n%s", link, body)
		}
		if strings.Contains(body, leaveOne) {
			t.Errorf("%s: the one-list reader's page offers to leave one list:\n%s", link, body)
		}
	}

	// A reader on two lists, at the link that stops everything, is still
	// offered to leave just one.
	both := e.addConfirmed("both@example.com")
	body := e.do("GET", "/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, both, 0), "", "").Body.String()
	if !strings.Contains(body, leaveOne) || strings.Contains(body, other) {
		t.Errorf("the two-list reader's page does not offer to leave one list:\n%s", body)
	}
}
