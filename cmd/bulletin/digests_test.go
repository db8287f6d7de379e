package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// "digest run" with the embedded Redis builds the digest and sends every
// copy before it exits; a second run finds no new article.
func TestDigestRunCommand(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run exited %d: %s", code, stderr)
	}
	got := regexp.MustCompile(`digest \d+ for daily-news: (\d+) articles?, (\d+) recipients?\nsent (\d+), failed 0, bounced 0, skipped 0, still queued 0`).FindStringSubmatch(stdout.String())
	if got == nil || got[1] == "0" || got[2] != got[3] {
		t.Fatalf("digest run printed %q", stdout)
	}
	files, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))
	if n, _ := strconv.Atoi(got[2]); len(files) != n {
		t.Errorf("outbox has %d messages for %d recipients", len(files), n)
	}

	m, stdout, _ = testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 || !strings.Contains(stdout.String(), "no new articles in daily-news") {
		t.Errorf("second run: exit %d, %q", code, stdout)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"digest", "run"}, 2, "use: bulletin digest run --list SLUG"},
		{[]string{"digest", "run", "--list", "nope"}, 2, "nope"},
	} {
		m, _, stderr := testMain(t, env)
		if code := m.Main(context.Background(), tc.args); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
}

// "digest run" on a list that left daily sends both digests of the switch
// before it exits: the weekly readers' from their last round-up, and the
// others' from the list's last digest.
func TestDigestRunSendsBothDigestsOfASwitch(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	m, _, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("first digest run exited %d: %s", code, stderr)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(env["BULLETIN_DATA"], "bulletin.db")+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	var weekly, daily int
	for _, q := range []string{
		// Every other reader of the list reads weekly; their round-up
		// was before any article; then the list becomes weekly and a new
		// article comes. They read weekly all along: the switch the
		// trigger notes is not one a reader made.
		`UPDATE subscribers SET frequency = CASE WHEN id % 2 = 0 THEN 'weekly' ELSE 'daily' END`,
		`DELETE FROM frequency_switches`,
		`INSERT INTO digest_rollup_marks (list_id, last_digest_at, last_article_id)
			SELECT id, '2020-01-01 00:00:00', 0 FROM lists WHERE slug = 'daily-news'`,
		`UPDATE lists SET digest = 'weekly' WHERE slug = 'daily-news'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	res, err := db.Exec(`INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"https://example.com/after-the-switch", "After the switch", "A new story.", "Ed", now.Add(-time.Minute), now)
	if err != nil {
		t.Fatal(err)
	}
	article, _ := res.LastInsertId()
	if _, err := db.Exec(`INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'daily-news'`, article); err != nil {
		t.Fatal(err)
	}
	for q, n := range map[string]*int{
		`SELECT COUNT(*) FROM subscribers s JOIN subscriptions x ON x.subscriber_id = s.id JOIN lists l ON l.id = x.list_id
			WHERE l.slug = 'daily-news' AND x.status = 'active' AND s.status = 'confirmed' AND s.frequency = 'weekly'`: &weekly,
		`SELECT COUNT(*) FROM subscribers s JOIN subscriptions x ON x.subscriber_id = s.id JOIN lists l ON l.id = x.list_id
			WHERE l.slug = 'daily-news' AND x.status = 'active' AND s.status = 'confirmed' AND s.frequency = 'daily'`: &daily,
	} {
		if err := db.QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	if weekly == 0 || daily == 0 {
		t.Fatalf("seeded %d weekly and %d daily readers of daily-news; the test needs both", weekly, daily)
	}
	before, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))

	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run after the switch exited %d: %s", code, stderr)
	}
	got := regexp.MustCompile(`digest \d+ for daily-news: (\d+) articles?, (\d+) recipients?\nsent (\d+), failed 0, bounced 0, skipped 0, still queued 0`).
		FindAllStringSubmatch(stdout.String(), -1)
	if len(got) != 2 {
		t.Fatalf("digest run after the switch printed %q, want two digests each sent", stdout)
	}
	if got[0][1] != "1" || got[0][2] != strconv.Itoa(daily) || got[0][3] != got[0][2] {
		t.Errorf("the daily readers' digest: %q, want the 1 new article to %d readers, all sent", got[0][0], daily)
	}
	if got[1][1] == "1" || got[1][2] != strconv.Itoa(weekly) || got[1][3] != got[1][2] {
		t.Errorf("the weekly readers' digest: %q, want every article since their round-up to %d readers, all sent", got[1][0], weekly)
	}
	after, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))
	if len(after)-len(before) != daily+weekly {
		t.Errorf("the outbox got %d messages for %d readers", len(after)-len(before), daily+weekly)
	}
}
