package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A test sent from the campaign's page while a campaign streams over the
// same SMTP pool to a server that is slow to take the campaign's messages
// arrives while the campaign is still going: it waited for a connection
// of its own, which the campaign's stream kept until it ran dry, and the
// editor's page spun for as long as the campaign took.
func TestCampaignTestSendDoesNotWaitForTheCampaign(t *testing.T) {
	const n, slow = 60, 150 * time.Millisecond
	srv := smtptest.Start(t, smtptest.WithAcceptReply(func(m smtptest.Message) string {
		if strings.HasSuffix(m.To[0], "@readers.example") {
			time.Sleep(slow)
		}
		return "OK: queued"
	}))
	// Two connections, which the campaign's stream keeps busy.
	cfg, err := mailer.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Conns = 2
	pool, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	_, a, _, _, token := newCampaignServerVia(t, pool, false)
	a.login("correct horse battery")
	page, _ := createCampaign(t, a, token, `{"subject":"Pier","lists":["news"],"body":"Hello."}`)

	// The campaign, as serve's sender streams it over the pool.
	var campaign sync.WaitGroup
	var answered atomic.Int32
	for i := range n {
		to := fmt.Sprintf("reader%03d@readers.example", i)
		campaign.Add(1)
		pool.SendAsync(context.Background(), mailer.Outgoing{From: "news@example.com", To: to,
			Data: []byte("To: " + to + "\r\nSubject: Pier\r\n\r\nHello.\r\n")}, func(error) {
			answered.Add(1)
			campaign.Done()
		})
	}
	defer campaign.Wait()
	time.Sleep(3 * slow)
	csrf := a.csrfOf(page)
	start := time.Now()
	resp := a.post(page+"/test", url.Values{"csrf": {csrf}, "to": {"editor@example.com"}})
	took, left := time.Since(start), n-int(answered.Load())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test send = %d, want 303", resp.StatusCode)
	}
	if got := srv.Count("editor@example.com"); got != 1 {
		t.Errorf("the editor got %d tests, want 1", got)
	}
	if took > 2*time.Second || left < n/3 {
		t.Errorf("the test send took %v, with %d of the campaign's %d messages left (all of it takes %v): want within 2 s, the campaign still going",
			took.Round(time.Millisecond), left, n, n*slow/2)
	}
}
