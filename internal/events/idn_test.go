package events_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A hard bounce that reports its address with a Unicode domain (an
// RFC 6533 utf-8 Final-Recipient, a provider's webhook) is about the
// reader stored with the domain's xn-- form (subscribers.NormalizeEmail):
// the reader is bounced and the address, as the suppressions table keeps
// it (xn--), suppressed.
func TestBounceOfAUnicodeDomainSuppresses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.reader(t, "robin@xn--bcher-kva.test")
	if _, err := e.store.Record(ctx, []events.Event{{Kind: events.BounceHard, Source: events.SourceMailgun,
		Status: "5.1.1", Email: "robin@bücher.test", Key: "mailgun:1"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.state(t, id); got.Status != "bounced" || !got.Suppressed {
		t.Errorf("reader after a hard bounce of robin@bücher.test: %+v; want bounced and suppressed", got)
	}
}
