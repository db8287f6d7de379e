package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// Readers who leave after a campaign was fanned out, while its batches
// wait in Redis, get nothing from the send workers: not those who
// unsubscribe (one-click or the page), drop every list, are erased, or
// leave the campaign's list by its mail's link while staying on another.
// The others get one copy each, among them a reader who left another
// list by its link, and the skipped ones are recorded.
func TestWorkersSkipReadersWhoLeft(t *testing.T) {
	binary(t) // skips first, before touching Redis, unless BULLETIN_INTEGRATION is set
	const n = 400
	redisURL := testRedis(t, queuetest.DBGone)
	smtp := smtptest.Start(t)
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_REDIS_URL="+redisURL, "BULLETIN_SMTP_CONNS=4")
	// Readers 10 and 20 are also on staff (list 2), which the campaign
	// is not sent to.
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := db.Write.Exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (2, 'staff', 'Staff', ?)`, now); err != nil {
		t.Fatal(err)
	}
	for _, sid := range []int64{10, 20} {
		if _, err := db.Write.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, 2, 'active', ?, ?)`, sid, now, now); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	_, addr := c.start("serve", "serve", "--no-send")
	id := c.startCampaign(addr)
	c.waitFannedOut(addr, id, n)

	signer := subscribers.NewSigner([]byte("integration-secret-0123456789abcdef01"))
	post := func(token, body string) {
		resp, err := http.Post("http://"+addr+"/unsubscribe/"+token,
			"application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("unsubscribe %s: %v %v", body, resp, err)
		}
		resp.Body.Close()
	}
	unsub := func(sid int64, body string) { post(signer.Sign(subscribers.TokenUnsubscribe, sid, 0), body) }
	left := map[int64]bool{}
	for _, sid := range []int64{3, 150, 399} {
		unsub(sid, "List-Unsubscribe=One-Click")
		left[sid] = true
	}
	unsub(200, "List-Unsubscribe=One-Click&page=1") // the page's button
	form := url.Values{"name": {"Reader"}, "frequency": {"daily"}}
	resp, err := http.PostForm("http://"+addr+"/preferences/"+signer.Sign(subscribers.TokenPreferences, 250, 0), form)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("preferences: %v %v", resp, err)
	}
	resp.Body.Close()
	if code := c.api(addr, "DELETE", "/api/v1/subscribers/300", nil, nil); code != http.StatusNoContent {
		t.Fatalf("erase: %d", code)
	}
	left[200], left[250], left[300] = true, true, true
	// Reader 10 leaves news, the campaign's list, and stays on staff;
	// reader 20 leaves staff and stays on news.
	post(signer.SignList(10, 1), "List-Unsubscribe=One-Click")
	post(signer.SignList(20, 2), "List-Unsubscribe=One-Click")
	left[10] = true

	c.start("worker", "worker")
	cj := c.waitSent(addr, id, time.Minute)
	for i := range n {
		email, want := fmt.Sprintf("reader%05d@example.com", i), 1
		if left[int64(i+1)] {
			want = 0
		}
		if got := smtp.Count(email); got != want {
			t.Errorf("%s (subscriber %d) got %d copies, want %d", email, i+1, got, want)
		}
	}
	// The erased reader's delivery went with them.
	if cj.Stats["sent"] != n-7 || cj.Stats["skipped"] != 6 || cj.Stats["queued"] != 0 {
		t.Errorf("stats %v, want %d sent and 6 skipped", cj.Stats, n-7)
	}
}

// waitFannedOut polls the campaign until all n of its deliveries exist.
func (c *cluster) waitFannedOut(addr string, id int64, n int) {
	c.t.Helper()
	var cj campaignJSON
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj)
		if cj.Stats["total"] == n {
			return
		}
	}
	c.t.Fatalf("campaign fanned out to %v, want %d", cj.Stats, n)
}
