package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// "digest run" with the embedded Redis sends every batch itself. A tester's
// relay answered 451 4.3.0 at RCPT TO for 10 of 2,982 readers: the run
// stopped at the first batch's "10 deliveries failed for now, retrying",
// exited 1 having sent 490, and left the other 2,492 readers waiting for
// serve (saying serve sends them "when it starts" while serve ran). A few
// readers refused for now are no failure of the digest: the run sends
// every other batch, leaves only those readers queued, says who retries
// them, and exits 0; the next serve sends them, once each.
func TestDigestRunGoesOnPastReadersRefusedForNow(t *testing.T) {
	data := t.TempDir()
	srv := smtptest.Start(t)
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": srv.URL()}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "bulletin.db")+"?_foreign_keys=on&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// 1,300 more readers of daily-news: the digest is three batches of
	// 500 (the CLI's page), and readers are refused in each of them, the
	// first two of them in its first batch, as in the tester's run.
	const extra = 1300
	now := time.Now().UTC()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range extra {
		email := fmt.Sprintf("reader%04d@example.com", i)
		res, err := tx.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, email, email, now, now)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
			SELECT ?, id, 'active', ?, ? FROM lists WHERE slug = 'daily-news'`, id, now, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	refused := []string{"reader0003@example.com", "reader0040@example.com", "reader0700@example.com", "reader0800@example.com", "reader1250@example.com", "reader1299@example.com"}
	srv.SetFaults(smtptest.Faults{TempFailTo: refused})

	code, stdout, stderr := run(t, env, "", "digest", "run", "--list", "daily-news")
	if code != 0 {
		t.Fatalf("digest run with %d readers refused for now exited %d:\n%s%s", len(refused), code, stdout, stderr)
	}
	m := regexp.MustCompile(`digest (\d+) for daily-news: \d+ articles?, (\d+) recipients\nsent (\d+), failed 0, bounced 0, skipped 0, still queued (\d+)\n`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("digest run printed:\n%s", stdout)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	recipients, _ := strconv.Atoi(m[2])
	if recipients <= 1000 {
		t.Fatalf("the digest has %d recipients; the test needs three batches", recipients)
	}
	if m[3] != strconv.Itoa(recipients-len(refused)) || m[4] != strconv.Itoa(len(refused)) {
		t.Errorf("digest run: sent %s, still queued %s; want %d sent and the %d refused still queued:\n%s", m[3], m[4], recipients-len(refused), len(refused), stdout)
	}
	want := fmt.Sprintf("%d deliveries refused for now by the mail server wait for a retry: serve sends them when it next starts\n", len(refused))
	if !strings.Contains(stdout, want) {
		t.Errorf("digest run does not say who retries the refused readers, %q:\n%s", want, stdout)
	}
	// Every other reader got the digest once, in this run; the refused
	// ones none, their deliveries queued for their retry.
	if got := srv.Total(); got != recipients-len(refused) || srv.Recipients() != got {
		t.Errorf("the SMTP server took %d messages for %d addresses, want each of the %d others once", got, srv.Recipients(), recipients-len(refused))
	}
	for _, addr := range refused {
		if n := srv.Count(addr); n != 0 {
			t.Errorf("%s, refused, got %d copies", addr, n)
		}
	}
	queued := map[string]bool{}
	rows, err := db.Query(`SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.campaign_id = ? AND d.status = 'queued'`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var email string
		rows.Scan(&email)
		queued[email] = true
	}
	rows.Close()
	for _, addr := range refused {
		if !queued[addr] {
			t.Errorf("%s, refused for now, is not queued for its retry", addr)
		}
	}
	if len(queued) != len(refused) {
		t.Errorf("%d deliveries queued after the run, want the %d refused", len(queued), len(refused))
	}

	// The relay takes them again; serve, at its start, sends the refused
	// readers their digest, once, and no one else a second copy.
	srv.SetFaults(smtptest.Faults{})
	sm, _, serveErr := testMain(t, env)
	_, stop := startServe(t, sm)
	deadline := time.Now().Add(30 * time.Second)
	for done := false; !done && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		done = true
		for _, addr := range refused {
			done = done && srv.Count(addr) == 1
		}
	}
	for _, addr := range refused {
		if n := srv.Count(addr); n != 1 {
			t.Errorf("serve sent %s, refused in the run, %d copies, want 1", addr, n)
		}
	}
	if got := srv.Total(); got != recipients || srv.Recipients() != recipients {
		t.Errorf("the SMTP server took %d messages for %d addresses, want each of the %d readers once", got, srv.Recipients(), recipients)
	}

	// While serve runs, a run's readers refused for now are retried by it,
	// not "when it starts".
	res, err := db.Exec(`INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"https://example.com/while-serve-runs", "While serve runs", "A new story.", "Ed", now.Add(-time.Minute), time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	article, _ := res.LastInsertId()
	if _, err := db.Exec(`INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'daily-news'`, article); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(smtptest.Faults{TempFailTo: refused[:1]})
	code, stdout, stderr = run(t, env, "", "digest", "run", "--list", "daily-news")
	want = fmt.Sprintf("1 delivery refused for now by the mail server waits for a retry: serve (pid %d) sends it within about 5 minutes", os.Getpid())
	if code != 0 || !strings.Contains(stdout, "still queued 1\n") || !strings.Contains(stdout, want) {
		t.Errorf("digest run while serve runs = %d, want 0 and %q:\n%s%s", code, want, stdout, stderr)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d: %s", code, serveErr)
	}
}

// A server that takes none of a digest's messages, refusing them all for
// now or not answering at all, is still the run's failure: it exits 1,
// saying so and who sends the deliveries left queued, which are all.
func TestDigestRunFailsWhenTheServerTakesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*smtptest.Server)
	}{
		{"refuses every reader for now", func(s *smtptest.Server) { s.SetFaults(smtptest.Faults{TempFailRate: 1}) }},
		{"unreachable", func(s *smtptest.Server) { s.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			srv := smtptest.Start(t)
			env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": srv.URL()}
			if code, _, stderr := run(t, env, "", "seed"); code != 0 {
				t.Fatalf("seed: %s", stderr)
			}
			tc.setup(srv)
			code, stdout, stderr := run(t, env, "", "digest", "run", "--list", "daily-news")
			m := regexp.MustCompile(`digest \d+ for daily-news: \d+ articles?, (\d+) recipients?\n`).FindStringSubmatch(stdout)
			if code != 1 || m == nil || strings.Contains(stdout, "sent ") {
				t.Fatalf("digest run = %d, want 1 and no summary:\n%s%s", code, stdout, stderr)
			}
			want := regexp.MustCompile(`bulletin digest: send digest \d+: the mail server took none of its ` + m[1] +
				` messages \(refused for now or not reached: the log has its answer\); ` + m[1] + ` deliveries still queued: serve sends them when it next starts`)
			if !want.MatchString(stderr) {
				t.Errorf("digest run said:\n%s\nwant %s", stderr, want)
			}
		})
	}
}
