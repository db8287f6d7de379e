package webhooks

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Without BULLETIN_BOUNCE_DOMAIN serve has no VERP: the providers get a
// nil *bounces.VERP as their Resolver. An event that carries a Message-ID,
// as SendGrid's and Mailgun's real ones do, is then tied to its reader
// by address; it crashed the handler (a nil VERP's domain read), and the
// provider retried into a 500 while the bounce was lost.
func TestEventsWithAMessageIDWithoutABounceDomain(t *testing.T) {
	var none *bounces.VERP
	sg, key := newTestSendGrid(t, none)
	mg := NewMailgun("mg-key", none, NewTokens(sqlitetest.Open(t)))
	now := time.Now()
	body := read(t, "sendgrid_bounce_msgid")
	sgEvents, err := sg.Events(context.Background(), sendGridSigned(key, body, now), body)
	if err != nil {
		t.Fatal(err)
	}
	mgEvents, err := mg.Events(context.Background(), nil, mailgunSigned(read(t, "mailgun_bounce_msgid"), "mg-key", "tok", now))
	if err != nil {
		t.Fatal(err)
	}
	for name, evs := range map[string][]events.Event{"sendgrid": sgEvents, "mailgun": mgEvents} {
		want := []got{{Kind: events.BounceHard, Status: "5.1.1", Email: "hard@example.com", Keyed: true}}
		if diff := cmp.Diff(want, summary(evs)); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", name, diff)
		}
	}
}
