package main

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkSignupTiming measures what a signup's time tells of its
// address, as someone trying an address over and over would: against
// `bulletin serve` (embedded Redis, rate limit off, mails to the outbox)
// on 127.0.0.1, one keep-alive client posts BULLETIN_BENCH_N (default
// 400) pairs of JSON signups to POST /api/v1/subscriptions, a new address
// then a known, confirmed one, after 64 pairs not counted (evenOut keeps
// the last 64 new signups' times). It logs, for each kind, the median,
// p75, p90, p99 and mean time of an answer as the client saw it, and the
// Mann-Whitney z of new against known: negative when the new ones are the
// faster; beyond ±2 a few hundred tries of one address tell it. It
// asserts nothing of speed. Run it, on a machine that compiles nothing
// (see uptime), with:
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench SignupTiming -benchtime 1x
func BenchmarkSignupTiming(b *testing.B) {
	n := benchN(400)
	for b.Loop() {
		load0 := loadavg()
		c := newClusterIn(b, b.TempDir(), 1, 0, "BULLETIN_SIGNUP_RATE=0") // reader00000@example.com, confirmed on news
		serve, addr := c.start("serve-timing", "serve")
		tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}
		client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		url := "http://" + addr + "/api/v1/subscriptions"
		post := func(email string) time.Duration {
			body := fmt.Sprintf(`{"email":%q,"lists":["news"]}`, email)
			t0 := time.Now()
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			took := time.Since(t0)
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("signup of %s: %d", email, resp.StatusCode)
			}
			return took
		}
		const warm = 64
		var fresh, known []time.Duration
		for i := range warm + n {
			f := post(fmt.Sprintf("timing%06d@example.com", i))
			k := post("reader00000@example.com")
			if i >= warm {
				fresh, known = append(fresh, f), append(known, k)
			}
		}
		tr.CloseIdleConnections()
		stopServe(b, serve)
		b.Logf("load %s → %s; %d pairs", load0, loadavg(), n)
		b.Logf("new:   %s", timingSummary(fresh))
		b.Logf("known: %s", timingSummary(known))
		b.Logf("Mann-Whitney z (new vs known) = %.2f", mannWhitneyZ(fresh, known))
	}
}

// timingSummary gives the median, p75, p90, p99 and mean of ds in ms.
func timingSummary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	q := func(p float64) float64 { return ms(s[int(p*float64(len(s)-1))]) }
	return fmt.Sprintf("median %.3f ms, p75 %.3f, p90 %.3f, p99 %.3f, mean %.3f",
		q(0.5), q(0.75), q(0.9), q(0.99), ms(sum/time.Duration(len(s))))
}

// mannWhitneyZ is the normal approximation of the Mann-Whitney U of a
// against b, ties ranked by their mean rank: negative when a's times are
// the shorter.
func mannWhitneyZ(a, b []time.Duration) float64 {
	type v struct {
		d   time.Duration
		inA bool
	}
	all := make([]v, 0, len(a)+len(b))
	for _, d := range a {
		all = append(all, v{d, true})
	}
	for _, d := range b {
		all = append(all, v{d, false})
	}
	slices.SortFunc(all, func(x, y v) int { return int(x.d - y.d) })
	var rankA, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].d == all[i].d {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if all[k].inA {
				rankA += rank
			}
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	n1, n2 := float64(len(a)), float64(len(b))
	u := rankA - n1*(n1+1)/2
	nn := n1 + n2
	sigma := math.Sqrt(n1 * n2 / 12 * (nn + 1 - ties/(nn*(nn-1))))
	return (u - n1*n2/2) / sigma
}
