package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

func (e *subEnv) lastID() int64 {
	e.t.Helper()
	var id int64
	if err := e.db.Read.QueryRow(`SELECT MAX(id) FROM subscribers`).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// confirmToken is the token of the link in the latest confirmation mail
// flagged for subscriber id.
func (e *subEnv) confirmToken(id int64) string {
	e.t.Helper()
	var sentAt time.Time
	if err := e.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE id = ?`, id).Scan(&sentAt); err != nil {
		e.t.Fatal(err)
	}
	return e.signer.Sign(subscribers.ConfirmPurpose(sentAt), id, subscribers.ConfirmTTL)
}

func (e *subEnv) mustConfirm(id int64) {
	e.t.Helper()
	w := e.do("GET", "/confirm/"+e.confirmToken(id), "", "")
	if w.Code != http.StatusOK {
		e.t.Fatalf("confirm: %d", w.Code)
	}
}

func (e *subEnv) status(id int64) string {
	sub, err := e.store.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub.Status
}

// TestSignupByFormEndToEnd walks the reader's path: form, errors kept by
// field, check-email, the mail, confirm, preferences, unsubscribe.
func TestSignupByFormEndToEnd(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("GET", "/subscribe?list=weekend-culture", "", "")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `value="weekend-culture" checked`) || strings.Contains(body, "editors-desk") ||
		!strings.Contains(body, `name="website"`) {
		t.Fatalf("form: %d\n%s", w.Code, body)
	}

	w = e.form("/subscribe", url.Values{"email": {"not an address"}, "name": {"<b>Ann</b>"}, "list": {"daily-news"}})
	body = w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="email-error"`) ||
		!strings.Contains(body, `value="not an address"`) || !strings.Contains(body, `value="&lt;b&gt;Ann&lt;/b&gt;"`) ||
		!strings.Contains(body, `value="daily-news" checked`) {
		t.Fatalf("422 re-render: %d\n%s", w.Code, body)
	}

	w = e.form("/subscribe", url.Values{"email": {"bot@example.com"}, "list": {"daily-news"}, "website": {"http://spam"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("honeypot: %d", w.Code)
	}
	w = e.form("/subscribe", url.Values{"email": {" Ann@Example.ORG "}, "name": {"Ann"}, "list": {"daily-news", "weekend-culture"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
		t.Fatalf("signup: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := e.do("GET", "/subscribe/check-email", "", ""); w.Code != 200 {
		t.Fatalf("check-email: %d", w.Code)
	}
	e.runConfirmations()
	mails := e.sent.all()
	if len(mails) != 1 || mails[0].To[0] != "Ann@example.org" {
		t.Fatalf("mails: %+v (the honeypot signup must send nothing)", mails)
	}
	raw := mails[0].Raw
	if strings.Contains(raw, "List-Unsubscribe") || !strings.Contains(raw, "text/plain") || !strings.Contains(raw, "text/html") {
		t.Errorf("confirmation mail is not transactional multipart:\n%s", raw)
	}
	m := confirmLink.FindStringSubmatch(strings.ReplaceAll(raw, "=\r\n", ""))
	if m == nil {
		t.Fatalf("no confirm link in\n%s", raw)
	}
	id := e.lastID()
	for range 2 { // idempotent
		if w := e.do("GET", m[1], "", ""); w.Code != 200 || !strings.Contains(w.Body.String(), "Daily News") {
			t.Fatalf("confirm: %d\n%s", w.Code, w.Body)
		}
	}
	if e.status(id) != subscribers.StatusConfirmed {
		t.Fatalf("status %s after confirm", e.status(id))
	}
	if w := e.do("GET", m[1]+"x", "", ""); w.Code != http.StatusBadRequest {
		t.Errorf("altered token: %d", w.Code)
	}
	if w := e.do("GET", "/confirm/"+e.signer.Sign(subscribers.TokenUnsubscribe, id, 0), "", ""); w.Code != http.StatusBadRequest {
		t.Errorf("token of another purpose: %d", w.Code)
	}

	// Daily News sends daily digests, so Ann, on it, chooses daily or weekly.
	daily := "daily"
	if _, err := e.store.UpdateList(context.Background(), "daily-news", &subscribers.ListPatch{Digest: &daily}); err != nil {
		t.Fatal(err)
	}
	pref := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, id, 0)
	w = e.form(pref, url.Values{"name": {"Ann B"}, "frequency": {"weekly"}, "list": {"weekend-culture"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != pref {
		t.Fatalf("preferences: %d\n%s", w.Code, w.Body)
	}
	sub, _ := e.store.Get(context.Background(), id)
	if sub.Name != "Ann B" || sub.Frequency != "weekly" || strings.Join(sub.Lists, ",") != "weekend-culture" {
		t.Errorf("after preferences: %+v", sub)
	}
	w = e.form(pref, url.Values{"name": {"x\x01"}, "frequency": {"hourly"}})
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("bad preferences: %d", w.Code)
	}

	unsub := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
	if w := e.do("GET", unsub, "", ""); w.Code != 200 || !regexp.MustCompile(`<button`).MatchString(w.Body.String()) {
		t.Fatalf("unsubscribe page: %d", w.Code)
	}
	if e.status(id) != subscribers.StatusConfirmed {
		t.Fatal("GET /unsubscribe changed something")
	}
	w = e.do("POST", unsub, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	if w.Code != 200 || e.status(id) != subscribers.StatusUnsubscribed {
		t.Fatalf("one-click: %d, status %s", w.Code, e.status(id))
	}
	if w := e.do("POST", unsub, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"); w.Code != 200 {
		t.Errorf("second one-click: %d", w.Code)
	}
	if w := e.do("POST", unsub[:len(unsub)-2], "application/x-www-form-urlencoded", ""); w.Code != http.StatusBadRequest {
		t.Errorf("truncated token: %d", w.Code)
	}
}

// TestConfirmationMailAtMostOncePerTenMinutes signs up the same pending
// address again and again: one mail.
func TestConfirmationMailAtMostOncePerTenMinutes(t *testing.T) {
	e := newSubEnv(t, 0)
	for range 3 {
		if w := e.json("POST", "/api/v1/subscriptions", `{"email":"again@example.com","lists":["daily-news"]}`); w.Code != 202 {
			t.Fatal(w.Code)
		}
		e.runConfirmations()
	}
	if n := len(e.sent.all()); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
	// Eleven minutes later another signup sends another mail.
	e.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = datetime('now', '-11 minutes')`)
	e.json("POST", "/api/v1/subscriptions", `{"email":"again@example.com","lists":["daily-news"]}`)
	e.runConfirmations()
	if n := len(e.sent.all()); n != 2 {
		t.Errorf("%d mails after 11 minutes, want 2", n)
	}
}

// TestReconcilerRecoversLostConfirmations drops the queued task and lets
// the reconciler find the flagged row.
func TestReconcilerRecoversLostConfirmations(t *testing.T) {
	e := newSubEnv(t, 0)
	e.json("POST", "/api/v1/subscriptions", `{"email":"lost@example.com","lists":["daily-news"]}`)
	e.signups.Flush()
	ins := asynq.NewInspectorFromRedisClient(e.queue.Redis())
	if n, err := ins.DeleteAllPendingTasks(queue.QueueDefault); err != nil || n != 1 {
		t.Fatalf("dropping the task: %d, %v", n, err)
	}
	if n, _ := e.store.Reconcile(context.Background(), e.queue.Client); n != 0 {
		t.Errorf("reconciler took a fresh row as lost")
	}
	e.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = datetime('now', '-5 minutes')`)
	n, err := e.store.Reconcile(context.Background(), e.queue.Client)
	if err != nil || n != 1 {
		t.Fatalf("reconcile: %d, %v", n, err)
	}
	e.runConfirmations()
	e.runConfirmations()
	if got := len(e.sent.all()); got != 1 {
		t.Errorf("%d mails, want 1", got)
	}
}

// TestTestSendLinks: the unsubscribe and preferences links of a test send
// (campaigns.TestToken) answer the editor who follows them with a page
// saying the link works for readers in the real mail, GET and POST
// alike, one-click included, and change nothing; any other bad token is
// still a bad link.
func TestTestSendLinks(t *testing.T) {
	e := newSubEnv(t, 0)
	form := "application/x-www-form-urlencoded"
	for _, tt := range []struct{ method, path, body, page string }{
		{"GET", "/unsubscribe/" + campaigns.TestToken, "", "unsubscribe page"},
		{"POST", "/unsubscribe/" + campaigns.TestToken, "List-Unsubscribe=One-Click", "unsubscribe page"},
		{"GET", "/preferences/" + campaigns.TestToken, "", "preferences page"},
		{"POST", "/preferences/" + campaigns.TestToken, "name=Ann&frequency=weekly", "preferences page"},
	} {
		w := e.do(tt.method, tt.path, form, tt.body)
		if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, "This link is from a test send") || !strings.Contains(body, tt.page) {
			t.Errorf("%s %s: %d\n%s", tt.method, tt.path, w.Code, body)
		}
	}
	if w := e.do("GET", "/unsubscribe/tests", "", ""); w.Code != http.StatusBadRequest {
		t.Errorf("GET /unsubscribe/tests: %d, want 400", w.Code)
	}
}
