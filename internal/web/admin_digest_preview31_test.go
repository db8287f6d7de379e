package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// digestPageState is what a digest build writes, as text.
func digestPageState(t *testing.T, db *sqlite.DB) string {
	t.Helper()
	var campaigns, deliveries, marks, rollups, holds, notes, streams int
	if err := db.Read.QueryRow(`SELECT (SELECT COUNT(*) FROM campaigns), (SELECT COUNT(*) FROM deliveries),
		(SELECT COUNT(*) FROM digest_marks), (SELECT COUNT(*) FROM digest_rollup_marks), (SELECT COUNT(*) FROM digest_holds),
		(SELECT COUNT(*) FROM frequency_switches), (SELECT COUNT(*) FROM subscriptions WHERE stream IS NOT NULL)`).
		Scan(&campaigns, &deliveries, &marks, &rollups, &holds, &notes, &streams); err != nil {
		t.Fatal(err)
	}
	var at string
	if err := db.Read.QueryRow(`SELECT COALESCE(group_concat(list_id || '@' || last_digest_at || '#' || last_article_id, ' '), '') FROM digest_marks`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d campaigns, %d deliveries, %d marks (%s), %d round-up marks, %d holds, %d changes of frequency noted, %d streams",
		campaigns, deliveries, marks, at, rollups, holds, notes, streams)
}

// srcdocs are the documents of a page's preview frames, unescaped.
func srcdocs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<iframe sandbox title="Preview at (?:phone|desktop) width" srcdoc="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// TestDigestSendPageShowsWhatWouldGo checks that the send page tells the
// subject, the articles, the readers and the mail a run would make, that
// showing it changes nothing, and that the digest the button then sends
// is the one shown.
func TestDigestSendPageShowsWhatWouldGo(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	execAt(t, db, time.Now().Add(-2*time.Hour), `UPDATE articles SET published_at = ? WHERE id = 2`) // Market day
	execAt(t, db, time.Now().Add(-time.Hour),
		`INSERT INTO articles (id, url, title, author, published_at, created_at) VALUES (3, 'https://news.example/tide', 'Tide <tables> & times', 'Maren Holt', ?, ?)`,
		`INSERT INTO article_lists (article_id, list_id) VALUES (3, 2)`,
	)
	execAt(t, db, time.Now().Add(48*time.Hour), // out in two days: held
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (4, 'https://news.example/later', 'Not out yet', ?, ?)`,
		`INSERT INTO article_lists (article_id, list_id) VALUES (4, 2)`,
	)
	before := digestPageState(t, db)
	a.get("/admin/digests/weekend/run")
	resp, body := a.get("/admin/digests/weekend/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the send page = %d:\n%s", resp.StatusCode, body)
	}
	if after := digestPageState(t, db); after != before {
		t.Errorf("showing the send page twice changed the database: %s, was %s", after, before)
	}
	subject := "Weekend (2 new stories): Tide &lt;tables&gt; &amp; times"
	for _, want := range []string{
		`<h2 style="margin-top:0;overflow-wrap:anywhere">` + subject + `</h2>`,
		`<strong>2 articles</strong>`,
		`To 1 reader.`,
		`<a href="https://news.example/tide">Tide &lt;tables&gt; &amp; times</a>`,
		`Maren Holt · `,
		`<a href="https://news.example/market">Market day</a>`,
		`<a href="/admin/articles/3">edit</a>`,
		`<form method="post" action="/admin/digests/weekend/run">`,
		`<input type="hidden" name="confirm" value="1">`,
		`<button type="submit">Send the digest to 1 reader</button>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("send page lacks %s:\n%s", want, body)
		}
	}
	if strings.Index(body, ">Tide &lt;tables&gt;") > strings.Index(body, ">Market day<") {
		t.Errorf("send page lists Market day before the newer Tide tables:\n%s", body)
	}
	if strings.Contains(body, "Not out yet") {
		t.Errorf("send page lists an article not out yet:\n%s", body)
	}
	docs := srcdocs(body)
	if len(docs) != 2 {
		t.Fatalf("send page has %d preview frames, want 2 (desktop and phone):\n%s", len(docs), body)
	}
	for _, doc := range docs {
		if !strings.Contains(doc, "Tide &lt;tables&gt; &amp; times") || !strings.Contains(doc, "Market day") || !strings.Contains(doc, "</html>") {
			t.Errorf("preview frame is not the digest's mail:\n%s", doc)
		}
	}

	// The button sends that digest.
	token := csrfField.FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("send page has no csrf field:\n%s", body)
	}
	resp = a.post("/admin/digests/weekend/run", url.Values{"csrf": {token[1]}, "confirm": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send = %d, want 303", resp.StatusCode)
	}
	var sent string
	var deliveries int
	if err := db.Read.QueryRow(`SELECT subject, (SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id) FROM campaigns c ORDER BY id DESC LIMIT 1`).
		Scan(&sent, &deliveries); err != nil {
		t.Fatal(err)
	}
	if html.EscapeString(sent) != subject || deliveries != 1 {
		t.Errorf("sent %q to %d; the page said %q to 1 reader", sent, deliveries, html.UnescapeString(subject))
	}

	// Then nothing is new: the page says so and offers no button.
	resp, body = a.get("/admin/digests/weekend/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the send page after the send = %d:\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "<h2 style=\"margin-top:0\">Nothing new</h2>") || !strings.Contains(body, `<a class="button" href="/admin/digests">Back to digests</a>`) {
		t.Errorf("send page with nothing new does not say so:\n%s", body)
	}
	if strings.Contains(body, `action="/admin/digests/weekend/run"`) || strings.Contains(body, "<iframe") {
		t.Errorf("send page with nothing new offers to send:\n%s", body)
	}
}

// TestDigestSendPageNuances checks the daily list's page, whose weekly
// readers wait for their round-up, and a list with articles but no reader,
// which has nothing to send.
func TestDigestSendPageNuances(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	now := time.Now().Add(-time.Hour)
	execAt(t, db, now,
		`INSERT INTO subscribers (id, email, email_key, name, status, frequency, created_at, updated_at) VALUES (2, 'w@x.example', 'w@x.example', 'Wim', 'confirmed', 'weekly', ?, ?)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (2, 1, 'active', ?, ?)`,
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (3, 'https://news.example/ferry', 'Ferry timetable', ?, ?)`,
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (5, 'https://news.example/memo', 'Desk memo', ?, ?)`,
	)
	if _, err := db.Write.Exec(`INSERT INTO article_lists (article_id, list_id) VALUES (3, 1), (5, 3)`); err != nil {
		t.Fatal(err)
	}
	before := digestPageState(t, db)

	_, body := a.get("/admin/digests/news/run")
	for _, want := range []string{
		`News (1 new story): Ferry timetable</h2>`,
		`<strong>1 article</strong>`,
		`To 1 reader of the daily digest.`,
		`1 reader who chose weekly is not mailed now: they get these articles in the weekly round-up (`,
		`<form method="post" action="/admin/digests/news/run">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("send page of news lacks %s:\n%s", want, body)
		}
	}

	resp, body := a.get("/admin/digests/desk/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the send page of desk = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`Desk (1 new story): Desk memo</h2>`,
		`<a href="https://news.example/memo">Desk memo</a>`,
		`Nobody would get it: the list has no confirmed reader for this digest.`,
		`Nobody would get these articles, so there is nothing to send.`,
		`<a class="button" href="/admin/digests">Back to digests</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("send page of desk lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `action="/admin/digests/desk/run"`) || strings.Contains(body, "<iframe") {
		t.Errorf("send page of a list with no reader offers to send:\n%s", body)
	}
	if after := digestPageState(t, db); after != before {
		t.Errorf("showing the send pages changed the database: %s, was %s", after, before)
	}
}

// TestDigestSendPageShowsTheOnlyDigestThatGoes checks the page of a daily
// list with nothing new for its daily readers, but a reader who changed
// from weekly to daily and gets a round-up of their old window: the page
// shows that one digest alone, and offers to send it.
func TestDigestSendPageShowsTheOnlyDigestThatGoes(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	execAt(t, db, time.Now().Add(-time.Hour),
		`INSERT INTO subscribers (id, email, email_key, name, status, frequency, created_at, updated_at) VALUES (2, 'w@x.example', 'w@x.example', 'Wim', 'confirmed', 'weekly', ?, ?)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (2, 1, 'active', ?, ?)`,
	)
	if _, err := db.Write.Exec(`UPDATE subscribers SET frequency = 'daily' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	before := digestPageState(t, db)
	_, body := a.get("/admin/digests/news/run")
	for _, want := range []string{
		`News weekly (1 new story): Bridge reopens</h2>`,
		`To 1 reader who changed from weekly to daily, with the articles since their last round-up; the daily digest follows.`,
		`<form method="post" action="/admin/digests/news/run">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("send page of news lacks %s:\n%s", want, body)
		}
	}
	for _, unwanted := range []string{"Nothing new", "Digest 1 of", "0 articles"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("send page of news shows %q:\n%s", unwanted, body)
		}
	}
	if n := len(srcdocs(body)); n != 2 {
		t.Errorf("send page of news has %d preview frames, want 2", n)
	}
	if after := digestPageState(t, db); after != before {
		t.Errorf("showing the send page changed the database: %s, was %s", after, before)
	}
}
