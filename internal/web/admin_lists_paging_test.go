package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// addReaders stores n subscribers with ids 1 to n, every third pending
// and the others confirmed, all joined today but not in the order of
// their ids (as an import keeps the times of its file), many at the same
// second. It returns their ids newest first.
func addReaders(t *testing.T, db *sqlite.DB, n int) []int {
	t.Helper()
	tx, err := db.Write.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	day := sqlite.Now().Truncate(24 * time.Hour)
	joined := func(i int) time.Time { return day.Add(time.Duration(i*5%11) * time.Minute) }
	for i := 1; i <= n; i++ {
		status := "confirmed"
		if i%3 == 0 {
			status = "pending"
		}
		email := fmt.Sprintf("r%d@example.com", i)
		if _, err := tx.Exec(`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			i, email, email, status, joined(i), joined(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i + 1
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := joined(b).Compare(joined(a)); c != 0 {
			return c
		}
		return b - a
	})
	return order
}

var (
	subscriberLink = regexp.MustCompile(`href="/admin/subscribers/(\d+)"`)
	outboxLink     = regexp.MustCompile(`href="/admin/outbox/([^"?]+)"`)
)

// pageLink is the href of the link labelled label on body, unescaped;
// "" when there is none.
func pageLink(body, label string) string {
	m := regexp.MustCompile(`href="([^"]*)">` + regexp.QuoteMeta(label) + `<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// walk follows the links labelled label from path to the last page,
// returning what pick finds on each page, in order.
func walk(t *testing.T, a *adminClient, path, label string, pick *regexp.Regexp) (pages [][]string, bodies []string) {
	t.Helper()
	for path != "" {
		if len(pages) > 50 {
			t.Fatalf("more than 50 pages: the links go round (last %s)", path)
		}
		resp, body := a.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		var found []string
		for _, m := range pick.FindAllStringSubmatch(body, -1) {
			found = append(found, m[1])
		}
		pages, bodies = append(pages, found), append(bodies, body)
		path = pageLink(body, label)
	}
	return pages, bodies
}

// idsOf are the ids in order that keep, as the pages show them.
func idsOf(order []int, keep func(int) bool) []string {
	var out []string
	for _, i := range order {
		if keep == nil || keep(i) {
			out = append(out, strconv.Itoa(i))
		}
	}
	return out
}

// The subscribers page lists the newest first and says how many match,
// and its Older and Newer links reach every reader exactly once, the
// filters kept, while the API still pages upwards by id as SPEC says.
func TestAdminSubscribersNewestFirstWithTotal(t *testing.T) {
	e := newAdminSubEnv(t)
	a := e.a
	order := addReaders(t, e.db, 123)

	pages, bodies := walk(t, a, "/admin/subscribers", "Older →", subscriberLink)
	if got := slices.Concat(pages...); !cmp.Equal(idsOf(order, nil), got) {
		t.Errorf("readers over the pages (-want +got):\n%s", cmp.Diff(idsOf(order, nil), got))
	}
	if len(pages) != 3 || len(pages[0]) != 50 {
		t.Errorf("pages of %d, want 3 pages of 50, 50 and 23", len(pages))
	}
	for i, body := range bodies {
		if !strings.Contains(body, "123 subscribers.") {
			t.Errorf("page %d does not say 123 subscribers", i+1)
		}
	}
	// Back from the last page, page by page, to the first.
	back, _ := walk(t, a, pageLink(bodies[len(bodies)-1], "← Newer"), "← Newer", subscriberLink)
	slices.Reverse(back)
	if diff := cmp.Diff(pages[:len(pages)-1], back); diff != "" {
		t.Errorf("pages walked back (-forward +back):\n%s", diff)
	}

	confirmed := func(i int) bool { return i%3 != 0 }
	pages, bodies = walk(t, a, "/admin/subscribers?status=confirmed", "Older →", subscriberLink)
	if got := slices.Concat(pages...); !cmp.Equal(idsOf(order, confirmed), got) {
		t.Errorf("confirmed readers over the pages (-want +got):\n%s", cmp.Diff(idsOf(order, confirmed), got))
	}
	if len(pages) != 2 || !strings.Contains(bodies[1], "82 subscribers match these filters.") {
		t.Errorf("the confirmed readers' %d pages do not say 82 match", len(pages))
	}
	if _, body := a.get("/admin/subscribers?q=r17%40example.com"); !strings.Contains(body, "1 subscriber matches these filters.") {
		t.Error("a search finding one reader does not say so in the singular")
	}

	w := e.api("GET", "/api/v1/subscribers?limit=3", "")
	var api struct{ Items []struct{ ID int64 } }
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil || len(api.Items) != 3 {
		t.Fatalf("GET /api/v1/subscribers: %d, %v: %s", w.Code, err, w.Body)
	}
	if got := []int64{api.Items[0].ID, api.Items[1].ID, api.Items[2].ID}; !cmp.Equal([]int64{1, 2, 3}, got) {
		t.Errorf("the API's first page = %v, want ids 1, 2, 3 (oldest first, as SPEC says)", got)
	}
}

// The outbox pages through every message, newest first, and says how
// many it holds; it stopped at 200 with no way to the others.
func TestAdminOutboxPagesReachEveryMessage(t *testing.T) {
	out, a := newOutboxAdmin(t)
	for i := range 450 {
		msg := fmt.Sprintf("From: news@example.com\r\nTo: r%d@example.com\r\nSubject: Message %d\r\n\r\nbody\r\n", i, i)
		if err := out.Send(context.Background(), "news@example.com", []string{"r@example.com"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := out.List(0)
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")

	pages, bodies := walk(t, a, "/admin/outbox", "Older messages →", outboxLink)
	if diff := cmp.Diff(all, slices.Concat(pages...)); diff != "" {
		t.Errorf("messages over the pages (-want +got):\n%s", diff)
	}
	for i, want := range []string{"Messages 1–200 of 450, newest first.", "Messages 201–400 of 450", "Messages 401–450 of 450"} {
		if i < len(bodies) && !strings.Contains(bodies[i], want) {
			t.Errorf("page %d does not say %q", i+1, want)
		}
	}
	back, _ := walk(t, a, pageLink(bodies[len(bodies)-1], "← Newer messages"), "← Newer messages", outboxLink)
	slices.Reverse(back)
	if diff := cmp.Diff(pages[:len(pages)-1], back); diff != "" {
		t.Errorf("pages walked back (-forward +back):\n%s", diff)
	}
}

// The dashboard and the subscribers page write counts in digit groups,
// as the rest of the English UI would: 3,001, not 3001.
func TestAdminCountsAreGrouped(t *testing.T) {
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(_ *Server, d *sqlite.DB) { db = d })
	addReaders(t, db, 3001)
	a.login("correct horse battery")
	_, dash := a.get("/admin")
	for _, want := range []string{`<div class="stat">2,001</div>`, `<div class="stat">1,000</div>`, `<div class="muted count"><span class="full">3,001</span><span class="short">3k</span></div>`} {
		if !strings.Contains(dash, want) {
			t.Errorf("the dashboard has no %s", want)
		}
	}
	_, body := a.get("/admin/subscribers")
	if !strings.Contains(body, "3,001 subscribers.") {
		t.Error("the subscribers page does not say 3,001 subscribers")
	}
}
