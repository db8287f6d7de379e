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
// one, or whose local part cannot be a Message-ID's, gets one made of its
// campaign, its id and a digest of its unsubscribe token, the same at
// every composing; one without even a token a random one.
func TestMessageIDCarriesTheVERPToken(t *testing.T) {
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	p := sendPayload(4, time.Time{})
	p.Recipients[0].ReturnPath = "bounce+tok1@bounces.harbour.test"
	p.Recipients[1].ReturnPath = "bounce+tok2@bounces.harbour.test"
	p.Recipients[2].ReturnPath = "bounce+" + strings.Repeat("x", 60) + "@bounces.harbour.test" // too long a left side
	p.Recipients[3].Unsubscribe = ""
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
	// sha256("u")[:6]: the token sendPayload gives every reader.
	want := []string{"<bounce+tok1@harbour.test>", "<bounce+tok2@harbour.test>", "<c7.d103.0bfe935e70c3@harbour.test>", "random"}
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
