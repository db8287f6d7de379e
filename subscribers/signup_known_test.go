package subscribers

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/templates"
)

// readerRow is what a signup must not change about a known reader: the
// subscriber row's own fields and every subscription, as stored.
type readerRow struct {
	Email, Name, Status, Attributes string
	Confirmed, Unsubscribed         bool
	Subscriptions                   string // "slug:status" in list order
}

func readRow(t *testing.T, s *Store, id int64) readerRow {
	t.Helper()
	var r readerRow
	var conf, unsub any
	err := s.db.Read.QueryRow(`SELECT email, name, status, attributes, confirmed_at, unsubscribed_at,
		COALESCE((SELECT group_concat(l.slug || ':' || x.status, ' ') FROM subscriptions x JOIN lists l ON l.id = x.list_id
		 WHERE x.subscriber_id = subscribers.id), '')
		FROM subscribers WHERE id = ?`, id).Scan(&r.Email, &r.Name, &r.Status, &r.Attributes, &conf, &unsub, &r.Subscriptions)
	if err != nil {
		t.Fatal(err)
	}
	r.Confirmed, r.Unsubscribed = conf != nil, unsub != nil
	return r
}

// signupEnv runs signups and their confirmation mails the way serve does:
// Signups commits, the Confirmer's task renders and sends.
type signupEnv struct {
	t     *testing.T
	store *Store
	q     *taskQueue
	box   mailbox
	c     *Confirmer
}

func newSignupEnv(t *testing.T) *signupEnv {
	t.Helper()
	s := newStore(t)
	if err := s.CreateList(context.Background(), &List{Slug: "sport", Name: "Sport", Public: true}); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	e := &signupEnv{t: t, store: s, q: &taskQueue{}, box: mailbox{}}
	e.c = &Confirmer{Store: s, Signer: NewSigner([]byte("test secret that is long enough!")), Templates: tmpl,
		Transport: e.box, From: &mail.Address{Name: "Gazette", Address: "news@news.example"}, BaseURL: "https://news.example"}
	return e
}

// signup signs in up and runs the confirmation tasks it queued.
func (e *signupEnv) signup(in *Signup) {
	e.t.Helper()
	signups := NewSignups(e.store, e.q, nil)
	err := signups.Signup(context.Background(), in)
	signups.Close()
	if err != nil {
		e.t.Fatal(err)
	}
	e.sendQueued()
}

// sendQueued runs the confirmation tasks queued so far, as serve would.
func (e *signupEnv) sendQueued() {
	e.t.Helper()
	tasks := e.q.tasks
	e.q.tasks = nil
	for _, task := range tasks {
		if err := e.c.ProcessTask(context.Background(), task); err != nil {
			e.t.Fatal(err)
		}
	}
}

var confirmPath = regexp.MustCompile(`https://news\.example/confirm/([A-Za-z0-9_-]+)`)

// takeMail returns the text of the mail sent to addr since the last call,
// and its confirmation token; "" when none went.
func (e *signupEnv) takeMail(addr string) (string, string) {
	e.t.Helper()
	raw, ok := e.box[addr]
	if !ok {
		return "", ""
	}
	delete(e.box, addr)
	text := mailtest.Parse(e.t, raw).Text
	m := confirmPath.FindStringSubmatch(text)
	if m == nil {
		e.t.Fatalf("no confirmation link in\n%s", text)
	}
	return text, m[1]
}

// click follows a confirmation link as the web handler does.
func (e *signupEnv) click(token string) (*Subscriber, error) {
	return e.store.ConfirmLink(context.Background(), e.c.Signer, token)
}

// A signup naming a known reader (nameless, with attributes) changes
// nothing about them in SQLite, whatever their status, until the link
// mailed to the address is followed; then the new lists join, the empty
// name is filled and new attributes are added, and a second click changes
// nothing more.
func TestSignupLeavesKnownReaderUntilConfirmed(t *testing.T) {
	tests := []struct {
		status string
		lists  []string
		// after the click
		wantStatus, wantSubs string
	}{
		{StatusPending, []string{"news"}, StatusConfirmed, "news:active sport:active"},
		{StatusConfirmed, []string{"news"}, StatusConfirmed, "news:active sport:active"},
		{StatusUnsubscribed, []string{"news"}, StatusConfirmed, "news:unsubscribed sport:active"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			e := newSignupEnv(t)
			ctx := context.Background()
			addr := "kate@example.com"
			n := &NewSubscriber{Email: addr, Status: tt.status, Lists: tt.lists, Attributes: map[string]any{"plan": "gold"}}
			var sub *Subscriber
			if tt.status == StatusUnsubscribed {
				sub = createLeft(t, e.store, n)
			} else {
				var err error
				if sub, err = e.store.Create(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
			before := readRow(t, e.store, sub.ID)

			e.signup(&Signup{Email: "Kate@EXAMPLE.com", Name: "Mallory's text", Lists: []string{"sport"},
				Attributes: map[string]any{"plan": "free", "source": "attacker"}})
			if diff := cmp.Diff(before, readRow(t, e.store, sub.ID)); diff != "" {
				t.Fatalf("an unauthenticated signup changed the reader (-before +after):\n%s", diff)
			}
			text, token := e.takeMail(addr)
			if text == "" {
				t.Fatal("no mail asked the address to confirm")
			}
			if !strings.Contains(text, "Sport)") {
				t.Errorf("the mail does not name the list it asks to confirm:\n%s", text)
			}
			if diff := cmp.Diff(before, readRow(t, e.store, sub.ID)); diff != "" {
				t.Fatalf("sending the confirmation changed the reader (-before +after):\n%s", diff)
			}

			for i := range 2 { // idempotent
				got, err := e.click(token)
				if err != nil {
					t.Fatalf("click %d: %v", i+1, err)
				}
				if got.Name != "Mallory's text" || got.Status != tt.wantStatus {
					t.Errorf("click %d: name %q, status %s", i+1, got.Name, got.Status)
				}
				after := readRow(t, e.store, sub.ID)
				if diff := cmp.Diff(tt.wantSubs, after.Subscriptions); diff != "" {
					t.Errorf("click %d: subscriptions (-want +got):\n%s", i+1, diff)
				}
				if diff := cmp.Diff(`{"plan":"gold","source":"attacker"}`, after.Attributes); diff != "" {
					t.Errorf("click %d: attributes (-want +got):\n%s", i+1, diff)
				}
			}
		})
	}
}

// A name is filled in by a confirmed signup only when the reader has none:
// a click never renames anyone. The mail greets the confirmed reader by
// their own name, never by the one typed.
func TestConfirmNeverRenames(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "ann@example.com", Name: "Someone Else", Lists: []string{"sport"}})
	text, token := e.takeMail("ann@example.com")
	if !strings.HasPrefix(text, "Hello Ann,\n") || strings.Contains(text, "Someone Else") {
		t.Errorf("the confirmation greets the reader by another name than her own:\n%s", text)
	}
	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	got := readRow(t, e.store, sub.ID)
	if got.Name != "Ann" || got.Subscriptions != "news:active sport:active" {
		t.Errorf("after the click: %+v", got)
	}
}

// A confirmed reader who signs up for lists they are on already gets no
// mail; one who unsubscribed cannot be brought back by an old link.
func TestSignupOfConfirmedReaderForSameListsSendsNothing(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	e.signup(&Signup{Email: "bo@example.com", Lists: []string{"news"}})
	_, token := e.takeMail("bo@example.com")
	sub, err := e.click(token)
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "bo@example.com", Lists: []string{"news"}})
	if text, _ := e.takeMail("bo@example.com"); text != "" {
		t.Errorf("a mail for nothing new:\n%s", text)
	}
	if err := e.store.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.click(token); err == nil {
		t.Error("an old confirmation link subscribed an unsubscribed reader again")
	}
	if got := readRow(t, e.store, sub.ID); got.Status != StatusUnsubscribed {
		t.Errorf("status %s after an old link, want unsubscribed", got.Status)
	}
}

// A bounced address is left alone and gets no mail.
func TestSignupOfBouncedSendsNothing(t *testing.T) {
	e := newSignupEnv(t)
	sub, err := e.store.Create(context.Background(), &NewSubscriber{Email: "gone@example.com", Status: StatusBounced, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	before := readRow(t, e.store, sub.ID)
	e.signup(&Signup{Email: "gone@example.com", Name: "X", Lists: []string{"sport"}})
	if text, _ := e.takeMail("gone@example.com"); text != "" {
		t.Errorf("mail to a bounced address:\n%s", text)
	}
	if diff := cmp.Diff(before, readRow(t, e.store, sub.ID)); diff != "" {
		t.Errorf("(-before +after):\n%s", diff)
	}
}

// Later than ConfirmInterval, a second signup replaces the first one's
// request: one request per reader waits for a click.
func TestSignupAfterIntervalSendsAgain(t *testing.T) {
	e := newSignupEnv(t)
	sub, err := e.store.Create(context.Background(), &NewSubscriber{Email: "cy@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "cy@example.com", Lists: []string{"sport"}})
	e.takeMail("cy@example.com")
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`,
		time.Now().UTC().Add(-ConfirmInterval-time.Minute), sub.ID); err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "cy@example.com", Lists: []string{"sport"}})
	text, token := e.takeMail("cy@example.com")
	if text == "" {
		t.Fatal("no second mail after the interval")
	}
	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	var n int
	e.store.db.Read.QueryRow(`SELECT COUNT(*) FROM signup_requests`).Scan(&n)
	if got := readRow(t, e.store, sub.ID); got.Subscriptions != "news:active sport:active" || n != 0 {
		t.Errorf("after the click: %+v, %d requests left", got, n)
	}
}

// A request waiting for its click is data stored about the person: the
// export of everything stored about them shows it, until it is applied.
func TestExportOfShowsWaitingRequest(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &NewSubscriber{Email: "dee@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "dee@example.com", Name: "Dee", Lists: []string{"sport"}, Attributes: map[string]any{"a": "b"}})
	ex, err := e.store.ExportOf(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ex.SignupRequest == nil {
		t.Fatal("the export leaves out the waiting signup request")
	}
	got := *ex.SignupRequest
	got.RequestedAt = time.Time{}
	want := ExportSignupRequest{Name: "Dee", Lists: []string{"sport"}, Attributes: map[string]any{"a": "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	_, token := e.takeMail("dee@example.com")
	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	if ex, err = e.store.ExportOf(ctx, sub.ID); err != nil || ex.SignupRequest != nil {
		t.Errorf("after the click: %+v, %v", ex.SignupRequest, err)
	}
}

// A request outlives its link by no more than a day: the reconciler
// deletes it, as nothing can apply it any more.
func TestReconcileDropsExpiredRequests(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &NewSubscriber{Email: "old@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "old@example.com", Name: "Old", Lists: []string{"sport"}})
	count := func() (n int) {
		e.store.db.Read.QueryRow(`SELECT COUNT(*) FROM signup_requests`).Scan(&n)
		return n
	}
	if _, err := e.store.Reconcile(ctx, e.q); err != nil || count() != 1 {
		t.Fatalf("a fresh request: %d left, %v", count(), err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`,
		time.Now().UTC().Add(-ConfirmTTL-25*time.Hour), sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Reconcile(ctx, e.q); err != nil || count() != 0 {
		t.Errorf("an expired request: %d left, %v", count(), err)
	}
}
