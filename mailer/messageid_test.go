package mailer_test

import (
	"bytes"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A delivery with its own envelope sender (VERP) goes out with that
// sender's local part as the left side of its Message-ID, so a report
// that quotes only the Message-ID names the delivery; a delivery without
// one, or whose local part cannot be a Message-ID's, gets its tracking
// token, or without one a digest of its ids and unsubscribe token: the
// same at every composing, and no id to read in it; one without even an
// unsubscribe token a random one.
func TestMessageIDCarriesTheVERPToken(t *testing.T) {
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	p := sendPayload(4, time.Time{})
	p.Recipients[0].ReturnPath = "bounce+tok1@bounces.harbour.test"
	p.Recipients[1].ReturnPath = "bounce+tok2@bounces.harbour.test"
	p.Recipients[2].ReturnPath = "bounce+" + strings.Repeat("x", 60) + "@bounces.harbour.test" // too long a left side
	p.Recipients[3].Unsubscribe = ""
	p = withReader(p, 2, "Xk2_q9-ZrT0aBcD4eFgH1w")
	runTask(t, s, p)
	random := regexp.MustCompile(`^<[0-9a-f]{32}@[a-z.]+>$`)
	var ids []string
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("Message-ID")
		if random.MatchString(id) {
			id = "random"
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	want := []string{"<Xk2_q9-ZrT0aBcD4eFgH1w@harbour.test>", "<bounce+tok1@harbour.test>", "<bounce+tok2@harbour.test>", "random"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("Message-IDs (-want +got):\n%s", diff)
	}
}

// Without a bounce domain a copy sent again (a rerun of the batch that
// the ledger does not remember, as after a kill -9 between the relay's
// answer and the record) keeps its Message-ID, so the receiver can drop
// it; another campaign's delivery, or another install's (another secret,
// so another unsubscribe token), has another.
func TestMessageIDTheSameForACopySentAgain(t *testing.T) {
	idsOf := func(p *tasks.SendPayload) []string {
		q := queuetest.Embedded(t) // a fresh ledger: nothing remembered as sent
		srv := smtptest.Start(t)
		runTask(t, workerSender(t, q, srv), p)
		var ids []string
		for _, m := range srv.Messages() {
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, msg.Header.Get("Message-ID"))
		}
		slices.Sort(ids)
		return ids
	}
	first, again := idsOf(sendPayload(3, time.Time{})), idsOf(sendPayload(3, time.Time{}))
	if len(first) != 3 || !slices.Equal(first, again) {
		t.Fatalf("Message-IDs of the same deliveries sent twice: %v, then %v; want the same three", first, again)
	}
	other := sendPayload(3, time.Time{})
	other.CampaignID = 8
	for i := range other.Recipients {
		other.Recipients[i].Unsubscribe = "another install's token"
	}
	for _, id := range idsOf(other) {
		if slices.Contains(first, id) {
			t.Errorf("Message-ID %s of another campaign and install is one already used: %v", id, first)
		}
	}
}

// withReader gives recipient i of p the tracking token reader.
func withReader(p *tasks.SendPayload, i int, reader string) *tasks.SendPayload {
	p.Recipients[i].Reader = reader
	return p
}

// A delivery without a tracking token or a bounce domain gets a digest of
// its campaign, its id and its unsubscribe token: no id of either is to
// be read in it, as "c7.d101.…" showed them, and it is 24 hex digits.
func TestMessageIDShowsNoIDs(t *testing.T) {
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	runTask(t, workerSender(t, q, srv), sendPayload(2, time.Time{}))
	digest := regexp.MustCompile(`^<[0-9a-f]{24}@harbour\.test>$`)
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		if id := msg.Header.Get("Message-ID"); !digest.MatchString(id) || strings.Contains(id, "d101") || strings.Contains(id, "d102") {
			t.Errorf("Message-ID %s: want 24 hex digits and no delivery id", id)
		}
	}
}
