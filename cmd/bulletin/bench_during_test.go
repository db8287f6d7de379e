package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// BenchmarkSignupsDuringCampaign times lone signups while `bulletin serve`
// sends a DKIM-signed (RSA) campaign of BULLETIN_BENCH_N (default 30,000)
// recipients to a local SMTP server, which keeps both cores busy: one
// client in this process posts a signup, waits 2 ms, and posts the next,
// from the first message of the campaign until 80 % of it is accepted.
// Each answer must be 202. It reports the signups' p50/p99/max latency:
// what a reader filling in the form meets while a campaign goes out. Run
// it with:
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench SignupsDuringCampaign -benchtime 1x
func BenchmarkSignupsDuringCampaign(b *testing.B) {
	n := benchN(30_000)
	smtp := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithBatchedReplies())
	for b.Loop() {
		c := newCluster(b, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), benchFrom,
			"BULLETIN_SIGNUP_RATE=0", "BULLETIN_DKIM_SELECTOR=bench")
		c.benchKey()
		serve, addr := c.start("serve", "serve")
		before := smtp.Total()
		c.startCampaignBody(addr, campaignBody)
		for smtp.Total() == before {
			time.Sleep(time.Millisecond)
		}
		client := &http.Client{Timeout: 30 * time.Second}
		var lat []time.Duration
		for i := 0; smtp.Total() < before+n*8/10; i++ {
			t0 := time.Now()
			resp, err := client.Post("http://"+addr+"/api/v1/subscriptions", "application/json",
				strings.NewReader(fmt.Sprintf(`{"email":"during%06d@example.com","lists":["news"]}`, i)))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("signup %d during the campaign: %s", i, resp.Status)
			}
			lat = append(lat, time.Since(t0))
			time.Sleep(2 * time.Millisecond)
		}
		serve.Process.Kill()
		serve.Wait()
		if len(lat) < 100 {
			b.Fatalf("only %d signups during the campaign of %d, too few for a p99: raise BULLETIN_BENCH_N", len(lat), n)
		}
		slices.Sort(lat)
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		b.ReportMetric(ms(p50), "p50_ms")
		b.ReportMetric(ms(p99), "p99_ms")
		b.Logf("%d signups while %d signed messages went out: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
			len(lat), n, ms(p50), ms(lat[len(lat)*9/10]), ms(p99), ms(lat[len(lat)-1]))
	}
}
