package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader set back to confirmed after a complaint still gets no mail
// while their address is on the suppression list; the API's answer about
// them says so, with the entry (the admin's page of the reader already
// did), where it said only "confirmed" (a tester's PATCH). A domain's
// entry counts; a reader on no list's entry has none.
func TestSubscriberAnswerNamesItsSuppression(t *testing.T) {
	s, a, token, db := fullServerDB(t)
	s.Events = events.NewStore(db)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, addr := range []string{"robin@example.com", "kai@spamtrap.test", "ann@example.com"} {
		sub, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: addr, Status: subscribers.StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[addr] = sub.ID
	}
	if err := s.Events.Suppress(ctx, "robin@example.com", events.ReasonComplaint, "ses"); err != nil {
		t.Fatal(err)
	}
	if err := s.Events.Suppress(ctx, "spamtrap.test", events.ReasonManual, "admin"); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Status      string              `json:"status"`
		Suppression *events.Suppression `json:"suppression"`
	}
	read := func(method, addr, body string) answer {
		t.Helper()
		code, got := callDocumented(t, a, token, method, fmt.Sprintf("/api/v1/subscribers/%d", ids[addr]), body)
		if code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, addr, code, got)
		}
		var out answer
		if err := json.Unmarshal(got, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	got := read("PATCH", "robin@example.com", `{"status":"confirmed","lists":["news"]}`)
	if got.Status != "confirmed" || got.Suppression == nil || got.Suppression.Reason != events.ReasonComplaint || got.Suppression.Address != "robin@example.com" {
		t.Errorf("PATCH of a complained reader answers %+v (suppression %+v), want the complaint's entry", got, got.Suppression)
	}
	if got := read("GET", "kai@spamtrap.test", ""); got.Suppression == nil || got.Suppression.Domain != "spamtrap.test" {
		t.Errorf("GET of a reader whose domain is suppressed: suppression %+v, want the domain's entry", got.Suppression)
	}
	if got := read("GET", "ann@example.com", ""); got.Suppression != nil {
		t.Errorf("GET of a reader not suppressed: suppression %+v, want none", got.Suppression)
	}
}
