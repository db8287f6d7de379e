package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// TestSentDigestKeepsItsCopy: a digest stores its rendered body when it is
// built, so editing or deleting one of its articles afterwards changes
// neither the archived issue nor the stored mail.
func TestSentDigestKeepsItsCopy(t *testing.T) {
	db, api := newArticleAPI(t)
	_, a := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`","summary":"Open again after eight months.",
		"image_url":"https://img.news.example/bridge.jpg","image_alt":"The bridge at dusk","lists":["news"]}`)
	_, b := api.call("POST", "/api/v1/articles", `{"title":"Storm warning","url":"https://news.example/storm","summary":"Gales tonight.","lists":["news"]}`)
	status, d := api.call("POST", "/api/v1/digests/run", `{"list":"news"}`)
	if status != http.StatusCreated {
		t.Fatalf("digest run = %d %v, want 201", status, d)
	}
	markSent(t, db, d["id"])
	issue := fmt.Sprintf("/archive/%v", d["id"])
	before := getPage(t, api.base+issue)
	var html, text, subject string
	stored := func() (string, string, string) {
		t.Helper()
		var h, x, sub string
		if err := db.Read.QueryRow(`SELECT body_html, body_text, subject FROM campaigns WHERE id = ?`, d["id"]).Scan(&h, &x, &sub); err != nil {
			t.Fatal(err)
		}
		return h, x, sub
	}
	html, text, subject = stored()
	for _, want := range []string{"Bridge reopens", "Open again after eight months.", `src="https://img.news.example/bridge.jpg"`, "Storm warning"} {
		if !strings.Contains(before, want) {
			t.Errorf("archived digest lacks %q:\n%s", want, before)
		}
	}

	if status, got := api.call("PATCH", fmt.Sprintf("/api/v1/articles/%v", a["id"]), `{"title":"Bridge closes again","summary":"Changed.","image_url":""}`); status != http.StatusOK {
		t.Fatalf("PATCH = %d %v", status, got)
	}
	if status, _ := api.call("DELETE", fmt.Sprintf("/api/v1/articles/%v", b["id"]), ""); status != http.StatusNoContent {
		t.Fatalf("DELETE = %d", status)
	}
	if after := getPage(t, api.base+issue); after != before {
		t.Errorf("the archived digest changed after its articles did:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	h, x, sub := stored()
	if h != html || x != text || sub != subject {
		t.Error("the stored digest changed after its articles did")
	}
}

func getPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// markSent marks campaign id sent, as its worker would once every mail
// went out: the archive lists an issue only then. No worker runs here.
func markSent(t *testing.T, db *sqlite.DB, id any) {
	t.Helper()
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
}
