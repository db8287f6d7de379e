package webhooks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// mailgunFailed is a Mailgun failed event to soft@example.com, signed
// with the key "mg-key" and token.
type mailgunFailed struct {
	severity, reason          string
	code                      int
	enhanced, message, detail string
}

func (f mailgunFailed) body(id, messageID, token string) []byte {
	ed := map[string]any{
		"id": id, "timestamp": 1795980000.5, "event": "failed", "severity": f.severity, "reason": f.reason,
		"recipient": "soft@example.com",
		"envelope":  map[string]any{"sender": "news@news.example.org", "targets": "soft@example.com"},
		"message":   map[string]any{"headers": map[string]any{"message-id": messageID}},
		"delivery-status": map[string]any{"code": f.code, "enhanced-code": f.enhanced, "message": f.message,
			"description": f.detail},
	}
	b, _ := json.Marshal(map[string]any{
		"signature":  map[string]string{"timestamp": "{{TIMESTAMP}}", "token": "{{TOKEN}}", "signature": "{{SIGNATURE}}"},
		"event-data": ed,
	})
	return mailgunSigned(b, "mg-key", token, time.Now())
}

// A Mailgun failure is what it says it is, whatever Mailgun calls its
// severity: a 4xx answer is a refusal for now, a message Mailgun gave up
// on after retrying ("old", Too old) failed for now every time, a message
// dropped for an address on Mailgun's bounce list is a hard bounce (that
// list holds only hard ones), one on its complaint list a complaint; a
// 5xx with no enhanced code is hard, as it was, and a temporary failure
// still a deferral.
func TestMailgunFailuresByWhatTheySay(t *testing.T) {
	mg := NewMailgun("mg-key", testVERP, NewTokens(sqlitetest.Open(t)))
	ctx := context.Background()
	soft := func(status string) []got {
		return []got{{Kind: events.BounceSoft, Status: status, Email: "soft@example.com", Keyed: true}}
	}
	hard := func(status string) []got {
		return []got{{Kind: events.BounceHard, Status: status, Email: "soft@example.com", Keyed: true}}
	}
	for i, tc := range []struct {
		name string
		f    mailgunFailed
		want []got
	}{
		{"421 with no enhanced code", mailgunFailed{"permanent", "generic", 421, "", "421 Service not available, closing channel", ""}, soft("")},
		{"452 with no enhanced code", mailgunFailed{"permanent", "bounce", 452, "", "452 Too many recipients this hour", ""}, soft("")},
		{"too old", mailgunFailed{"permanent", "old", 602, "", "Too old", ""}, soft("")},
		{"the last try, temporary and old", mailgunFailed{"temporary", "old", 498, "", "No MX for example.com", ""}, soft("")},
		{"on the bounce list", mailgunFailed{"permanent", "suppress-bounce", 605, "", "", "Not delivering to previously bounced address"}, hard("")},
		{"on the bounce list, code 0", mailgunFailed{"permanent", "suppress-bounce", 0, "", "", "Not delivering to previously bounced address"}, hard("")},
		{"on the complaint list", mailgunFailed{"permanent", "suppress-complaint", 0, "", "", "Not delivering to a user who marked your messages as spam"},
			[]got{{Kind: events.Complaint, Email: "soft@example.com", Keyed: true}}},
		{"550 with no enhanced code", mailgunFailed{"permanent", "bounce", 550, "", "550 No such user here", ""}, hard("")},
		{"550 5.1.1", mailgunFailed{"permanent", "bounce", 550, "5.1.1", "550 5.1.1 No such user", ""}, hard("5.1.1")},
		{"552 5.2.2, mailbox full", mailgunFailed{"permanent", "bounce", 552, "5.2.2", "552 5.2.2 Mailbox full", ""}, soft("5.2.2")},
		{"451 4.7.1 in the text only", mailgunFailed{"permanent", "generic", 451, "", "451 4.7.1 Try again later", ""}, soft("4.7.1")},
		{"a temporary failure", mailgunFailed{"temporary", "generic", 452, "4.2.2", "452 4.2.2 Mailbox full", ""}, nil},
	} {
		id := fmt.Sprintf("mg-%d", i)
		evs, err := mg.Events(ctx, nil, tc.f.body(id, id+"@news.example.org", id))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, summary(evs), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", tc.name, diff)
		}
	}
}

// Mailgun gives each report its own event id. Its last try of a message,
// reported temporary with reason "old", and the permanent failure of the
// same message are one soft bounce, not two.
func TestMailgunReportsOfOneMessageAreOneEvent(t *testing.T) {
	mg := NewMailgun("mg-key", testVERP, NewTokens(sqlitetest.Open(t)))
	ctx := context.Background()
	last := mailgunFailed{"temporary", "old", 421, "", "421 Connection timed out", ""}
	gaveUp := mailgunFailed{"permanent", "old", 602, "", "Too old", ""}
	a, err := mg.Events(ctx, nil, last.body("mg-try-8", "20261130.9.ABC@news.example.org", "t-a"))
	if err != nil || len(a) != 1 {
		t.Fatalf("the last try: %d events, %v; want 1", len(a), err)
	}
	b, err := mg.Events(ctx, nil, gaveUp.body("mg-dropped", "20261130.9.ABC@news.example.org", "t-b"))
	if err != nil || len(b) != 1 {
		t.Fatalf("the permanent failure: %d events, %v; want 1", len(b), err)
	}
	if a[0].Key != b[0].Key || a[0].Kind != b[0].Kind {
		t.Errorf("two events for one message: %s %q and %s %q", a[0].Kind, a[0].Key, b[0].Kind, b[0].Key)
	}
	other, err := mg.Events(ctx, nil, gaveUp.body("mg-dropped-2", "20261130.10.ABC@news.example.org", "t-c"))
	if err != nil || len(other) != 1 || other[0].Key == b[0].Key {
		t.Errorf("another message: %v, %v; want an event of its own", other, err)
	}
}

// Postmark's Transient is its last word on a message it stopped retrying,
// and a remote server's delay notices are Transient too: several reports
// of one message (under as many bounce IDs) are one soft bounce in a real
// database, and a SoftBounce of it after them adds none. Three messages
// bounce the reader; a HardBounce of a message that was Transient first
// is still taken.
func TestPostmarkReportsOfOneMessageCountOnce(t *testing.T) {
	db := sqlitetest.Open(t)
	store := events.NewStore(db)
	now := sqlite.Now()
	reader := func(email string) int64 {
		res, err := db.Write.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
			VALUES (?, lower(?), 'confirmed', ?, ?, ?)`, email, email, now, now, now)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	status := func(id int64) string {
		var s string
		if err := db.Read.QueryRow(`SELECT status FROM subscribers WHERE id = ?`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	pm, err := NewPostmark("u:p", testVERP)
	if err != nil {
		t.Fatal(err)
	}
	auth := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))}}
	report := func(email, typ string, code, id int, message string) int {
		t.Helper()
		body := strings.NewReplacer(
			`"ID": 7420000000000011`, fmt.Sprintf(`"ID": %d`, id),
			`"Type": "Transient"`, fmt.Sprintf(`"Type": %q`, typ),
			`"TypeCode": 2`, fmt.Sprintf(`"TypeCode": %d`, code),
			`"MessageID": "5b1f3c2e-0a4d-4e8f-9c61-2d7a1f000011"`, fmt.Sprintf(`"MessageID": %q`, message),
			`"Email": "soft@example.com"`, fmt.Sprintf(`"Email": %q`, email),
		).Replace(string(read(t, "postmark_delayed")))
		evs, err := pm.Events(context.Background(), auth, []byte(body))
		if err != nil || len(evs) != 1 {
			t.Fatalf("report %d: %d events, %v; want 1", id, len(evs), err)
		}
		n, err := store.Record(context.Background(), evs)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	slow := reader("slow@harbour.test")
	for i, step := range []struct {
		typ     string
		code    int
		message string
		stored  int
		want    string
	}{
		{"Transient", 2, "msg-1", 1, "confirmed"},
		{"Transient", 2, "msg-1", 0, "confirmed"},
		{"Transient", 2, "msg-1", 0, "confirmed"},
		{"SoftBounce", 4096, "msg-1", 0, "confirmed"},
		{"Transient", 2, "msg-2", 1, "confirmed"},
		{"Transient", 2, "msg-3", 1, "bounced"},
	} {
		if n := report("slow@harbour.test", step.typ, step.code, 100+i, step.message); n != step.stored {
			t.Errorf("step %d (%s of %s): %d stored, want %d", i+1, step.typ, step.message, n, step.stored)
		}
		if got := status(slow); got != step.want {
			t.Errorf("after step %d (%s of %s): reader %s, want %s", i+1, step.typ, step.message, got, step.want)
		}
	}
	gone := reader("gone@harbour.test")
	report("gone@harbour.test", "Transient", 2, 200, "msg-9")
	if n := report("gone@harbour.test", "HardBounce", 1, 201, "msg-9"); n != 1 || status(gone) != "bounced" {
		t.Errorf("a HardBounce after a Transient of one message: %d stored, reader %s; want 1, bounced", n, status(gone))
	}
}
