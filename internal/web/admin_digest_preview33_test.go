package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDigestSendPageSaysWhichArticlesAreNews checks that the send page
// says a first digest takes the articles published in its week, not
// those added in it, and that a later one leaves out an article added
// since the previous digest but published long before, saying so.
func TestDigestSendPageSaysWhichArticlesAreNews(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	month := time.Now().Add(-30 * 24 * time.Hour)
	// Added now, dated a month back: a back-filled archive.
	if _, err := db.Write.Exec(`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (5, 'https://news.example/archive', 'From the archive', ?, ?)`,
		month, time.Now()); err != nil {
		t.Fatal(err)
	}
	execAt(t, db, time.Now(), `INSERT INTO article_lists (article_id, list_id) VALUES (5, 1), (5, 2)`)

	// Weekend has had no digest: it takes Market day, published now.
	resp, body := a.get("/admin/digests/weekend/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the weekend send page = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`None yet: the first digest takes the articles of the past 7 days.`,
		`<strong>1 article</strong> published since `,
		`Left out as old news: 1 older article of the list, published before `,
		`<a href="https://news.example/market">Market day</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("weekend send page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "From the archive") {
		t.Errorf("weekend send page offers the archive's article:\n%s", body)
	}

	// News had its digest when it was made: the archive's article is new
	// to it, but no news.
	_, body = a.get("/admin/digests/news/run")
	for _, want := range []string{
		`<h2 style="margin-top:0">Nothing new</h2>`,
		`No article is new on the list since `,
		`Left out as old news: 1 article added since but published before `,
		`, more than 7 days before the previous digest.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("news send page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "From the archive") || strings.Contains(body, `<button type="submit">Send the digest`) {
		t.Errorf("news send page offers the archive's article:\n%s", body)
	}
}
