package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The calls of TestAPIAnswersMatchTheDocument for the resend, on
// fullServer's data as apiChecks leaves it: reader 1 is confirmed, and
// reader 3 (bare@example.com) was added pending, so was mailed its
// confirmation moments before. The 202 is checked against the document
// by TestAPIResendsAPendingReadersConfirmation, which can wait out the
// interval.
func init() {
	apiChecks = append(apiChecks,
		apiCheck{method: "POST", path: "/api/v1/subscribers/1/confirmation", want: 409},
		apiCheck{method: "POST", path: "/api/v1/subscribers/3/confirmation", want: 429},
		apiCheck{method: "POST", path: "/api/v1/subscribers/999/confirmation", want: 404},
	)
}

// resendAnswer is one answer of POST /api/v1/subscribers/{id}/confirmation.
type resendAnswer struct {
	code   int
	header http.Header
	body   []byte
}

// resend posts to reader id's confirmation with body, and checks the
// request and its answer against internal/web/openapi.json.
func (e *adminSubEnv) resend(id, body string) resendAnswer {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.a.base+"/api/v1/subscribers/"+id+"/confirmation", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := validateCall(documentedRouter(e.t.(*testing.T)), req, body, resp, got); err != nil {
		e.t.Errorf("POST %s answered %d %s\nwhich internal/web/openapi.json does not describe: %v", req.URL.Path, resp.StatusCode, got, err)
	}
	return resendAnswer{resp.StatusCode, resp.Header, got}
}

// message is the answer's error message.
func (a resendAnswer) message() string {
	var e errorBody
	json.Unmarshal(a.body, &e)
	return e.Message
}

// POST /api/v1/subscribers/{id}/confirmation sends a pending reader the
// confirmation mail again, as the button on their admin page does: 202
// once queued, one mail over SMTP a call, whose link confirms where the
// last one's no longer does. One goes to an address every
// ConfirmInterval at most, whoever asks, the add's mail and the admin's
// button included: sooner is a 429 saying when, with Retry-After, and
// nothing is sent. A reader who is not pending is a 409 saying what they
// are; an unknown one a 404, a bad id or a body a 422. The API had no
// way to do it: a reader who lost the mail stayed pending for good.
func TestAPIResendsAPendingReadersConfirmation(t *testing.T) {
	e := newAdminSubEnv(t)
	srv := smtptest.Start(t)
	w := e.api("POST", "/api/v1/subscribers", `{"email":"zoe@example.com","lists":["daily-news"]}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("add pending = %d %s", w.Code, w.Body)
	}
	e.sendConfirmationsOver(srv)
	sub := e.byEmail("zoe@example.com")
	id := strconv.FormatInt(sub.ID, 10)

	a := e.resend(id, "")
	wait, _ := strconv.Atoi(a.header.Get("Retry-After"))
	if a.code != http.StatusTooManyRequests || wait < 1 || wait > 600 || !strings.Contains(a.message(), "another can be sent from") {
		t.Errorf("a resend right after the add's mail = %d, Retry-After %q, %s; want 429 saying when", a.code, a.header.Get("Retry-After"), a.body)
	}
	e.sendConfirmationsOver(srv)
	if n := srv.Count("zoe@example.com"); n != 1 {
		t.Fatalf("%d mails after a refused resend, want the add's 1", n)
	}

	e.backdateConfirm(sub.ID, 11*time.Minute)
	before := time.Now().UTC().Add(-time.Second)
	a = e.resend(id, "")
	var q confirmationQueued
	if err := json.Unmarshal(a.body, &q); err != nil || a.code != http.StatusAccepted || q.Subscriber != sub.ID ||
		q.QueuedAt.Before(before) || q.QueuedAt.After(time.Now().Add(time.Second)) || q.NextAt.Sub(q.QueuedAt) != subscribers.ConfirmInterval {
		t.Fatalf("a resend 11 minutes on = %d %s, want 202 queued now, the next in 10 minutes", a.code, a.body)
	}
	if a := e.resend(id, ""); a.code != http.StatusTooManyRequests {
		t.Errorf("a second resend = %d %s, want 429", a.code, a.body)
	}
	resp, body := e.a.postBody("/admin/subscribers/"+id+"/confirmation", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "another can be sent from") {
		t.Errorf("the admin's resend right after the API's = %d, want 429:\n%s", resp.StatusCode, body)
	}
	e.sendConfirmationsOver(srv)
	e.sendConfirmationsOver(srv)
	msgs := srv.Messages()
	if n := srv.Count("zoe@example.com"); n != 2 || len(msgs) != 2 {
		t.Fatalf("%d mails to zoe (%d in all) after one resend, want 2: the add's and the resend's", n, len(msgs))
	}
	first := confirmLink.FindStringSubmatch(mailtest.Parse(t, msgs[0].Data).Text)
	second := confirmLink.FindStringSubmatch(mailtest.Parse(t, msgs[1].Data).Text)
	if first == nil || second == nil || first[1] == second[1] {
		t.Fatalf("the resent mail's link %q is not a new one (was %q)", second, first)
	}
	e.do("GET", first[1], "", "")
	if got := e.status(sub.ID); got != subscribers.StatusPending {
		t.Errorf("the replaced link made the reader %s", got)
	}
	e.do("GET", second[1], "", "")
	if got := e.status(sub.ID); got != subscribers.StatusConfirmed {
		t.Fatalf("the resent link left the reader %s", got)
	}

	a = e.resend(id, "")
	if a.code != http.StatusConflict || a.message() != "Only a pending reader is sent the confirmation mail: this one is confirmed." {
		t.Errorf("a resend to a confirmed reader = %d %s, want 409 saying why", a.code, a.body)
	}
	for _, c := range []struct {
		id, body string
		want     int
	}{
		{"999", "", http.StatusNotFound},
		{"abc", "", http.StatusUnprocessableEntity},
		{id, `{"to":"zoe@example.com"}`, http.StatusUnprocessableEntity},
	} {
		if a := e.resend(c.id, c.body); a.code != c.want {
			t.Errorf("POST /api/v1/subscribers/%s/confirmation %s = %d %s, want %d", c.id, c.body, a.code, a.body, c.want)
		}
	}
	e.sendConfirmationsOver(srv)
	if n := srv.Total(); n != 2 {
		t.Errorf("%d mails in all, want 2", n)
	}
	if w := e.do("POST", fmt.Sprintf("/api/v1/subscribers/%s/confirmation", id), "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("a resend without a token = %d, want 401", w.Code)
	}
}
