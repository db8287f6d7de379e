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

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A delivery with its own envelope sender (VERP) goes out with that
// sender's local part as the left side of its Message-ID, so a report
// that quotes only the Message-ID names the delivery; a delivery without
// one, or whose local part cannot be a Message-ID's, gets a random one.
func TestMessageIDCarriesTheVERPToken(t *testing.T) {
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	p := sendPayload(4, time.Time{})
	p.Recipients[0].ReturnPath = "bounce+tok1@bounces.harbour.test"
	p.Recipients[1].ReturnPath = "bounce+tok2@bounces.harbour.test"
	p.Recipients[2].ReturnPath = "bounce+" + strings.Repeat("x", 60) + "@bounces.harbour.test" // too long a left side
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
	want := []string{"<bounce+tok1@harbour.test>", "<bounce+tok2@harbour.test>", "random", "random"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("Message-IDs (-want +got):\n%s", diff)
	}
}
