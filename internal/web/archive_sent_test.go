package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
)

// pastIssue creates a campaign to the public list "news" of digestServer
// and gives it status, and the time it started sending unless started is
// zero. It returns the campaign's id.
func pastIssue(t *testing.T, db *sqlite.DB, subject, body, status string, started time.Time) int64 {
	t.Helper()
	c := &campaigns.Campaign{Subject: subject, Body: body, Lists: []string{"news"}}
	if err := campaigns.NewStore(db).Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var at any
	if !started.IsZero() {
		at = started.UTC()
	}
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = ?, started_at = ? WHERE id = ?`, status, at, c.ID); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// delivered records that campaign id's mail to the reader of
// digestServer ended as status at at.
func delivered(t *testing.T, db *sqlite.DB, id int64, status string, at time.Time) {
	t.Helper()
	if _, err := db.Write.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, 1, ?, ?, ?)`,
		id, status, at.UTC(), at.UTC()); err != nil {
		t.Fatal(err)
	}
}

// archivedSubjects returns the subjects of issues, in their order.
func archivedSubjects(issues []*campaigns.Issue) []string {
	var out []string
	for _, is := range issues {
		out = append(out, is.Subject)
	}
	return out
}

// A campaign drafted first and sent last was listed below those sent
// before it, as the archive and its pages went by campaign id. They go by
// when each was sent, then by id for those sent at the same moment, and
// the page after an issue starts after it in that order.
func TestArchiveOrdersBySentTime(t *testing.T) {
	db, h, _ := digestServer(t)
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	for _, c := range []struct {
		subject string
		sent    time.Duration
	}{
		{"Drafted first, sent last", 5 * time.Hour},
		{"Sent first", 1 * time.Hour},
		{"Sent at three, drafted before", 3 * time.Hour},
		{"Sent at three, drafted after", 3 * time.Hour},
		{"Sent at two", 2 * time.Hour},
	} {
		ids[c.subject] = pastIssue(t, db, c.subject, "The ferry runs again.", "sent", base.Add(c.sent))
	}
	order := []string{"Drafted first, sent last", "Sent at three, drafted after", "Sent at three, drafted before", "Sent at two", "Sent first"}

	body := do(t, h, "GET", "/archive", "", "").Body.String()
	for i := 1; i < len(order); i++ {
		a, b := strings.Index(body, ">"+order[i-1]+"</a>"), strings.Index(body, ">"+order[i]+"</a>")
		if a < 0 || b < 0 || a > b {
			t.Errorf("/archive lists %q at %d and %q at %d: want the first above the second", order[i-1], a, order[i], b)
		}
	}

	store := campaigns.NewStore(db)
	var paged []string
	var before int64
	for page := 0; page < 5; page++ {
		issues, next, err := store.Archive(context.Background(), before, 2)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, archivedSubjects(issues)...)
		if next == 0 {
			break
		}
		before = next
	}
	if diff := cmp.Diff(order, paged); diff != "" {
		t.Errorf("pages of 2 (-want +got):\n%s", diff)
	}

	// The page after the issue sent last holds every other, in order.
	w := do(t, h, "GET", "/archive?before="+strconv.FormatInt(ids[order[0]], 10), "", "")
	body = w.Body.String()
	for _, s := range order[1:] {
		if !strings.Contains(body, ">"+s+"</a>") {
			t.Errorf("/archive?before=%d (%s) lacks %q", ids[order[0]], order[0], s)
		}
	}
	if strings.Contains(body, ">"+order[0]+"</a>") {
		t.Errorf("/archive?before=%d lists that issue itself", ids[order[0]])
	}
}

// The archive listed a campaign while it was still sending or paused, and
// dropped one cancelled midway whose mail some readers had got. What
// readers got decides: an issue is listed once sent, or cancelled after at
// least one reader's mail went (its rows folded away by the retention
// too), dated when it started going out. One still going out, or
// paused, has its page (its mail links there) but is not listed yet.
func TestArchiveListsWhatReadersGot(t *testing.T) {
	db, h, _ := digestServer(t)
	started := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	last := started.Add(49 * time.Hour) // 6 March
	type issue struct {
		subject, status string
		started         time.Time
		deliveries      []string // statuses of its deliveries, the last at last
		folded          int      // sent deliveries folded into its totals
		listed          bool
		page            bool // its own page shows (as it does for every one listed)
	}
	tests := []issue{
		{subject: "Sent to the end", status: "sent", started: started, deliveries: []string{"sent"}, listed: true},
		{subject: "Still going out", status: "sending", started: started, deliveries: []string{"sent"}, page: true},
		{subject: "Paused halfway", status: "paused", started: started, deliveries: []string{"sent"}, page: true},
		{subject: "Cancelled midway", status: "cancelled", started: started, deliveries: []string{"sent"}, listed: true},
		{subject: "Cancelled and folded", status: "cancelled", started: started, folded: 3, listed: true},
		{subject: "Cancelled before any went", status: "cancelled", started: started, deliveries: []string{"failed"}},
		{subject: "Cancelled while scheduled", status: "cancelled"},
	}
	ids := make([]int64, len(tests))
	for i, tt := range tests {
		ids[i] = pastIssue(t, db, tt.subject, "The ferry runs again.", tt.status, tt.started)
		for _, st := range tt.deliveries {
			delivered(t, db, ids[i], st, last)
		}
		if _, err := db.Write.Exec(`UPDATE campaigns SET folded_sent = ? WHERE id = ?`, tt.folded, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	index := do(t, h, "GET", "/archive", "", "").Body.String()
	for i, tt := range tests {
		if got := strings.Contains(index, ">"+tt.subject+"</a>"); got != tt.listed {
			t.Errorf("%s (%s): listed = %v, want %v", tt.subject, tt.status, got, tt.listed)
		}
		w := do(t, h, "GET", "/archive/"+strconv.FormatInt(ids[i], 10), "", "")
		if want := map[bool]int{true: 200, false: 404}[tt.listed || tt.page]; w.Code != want {
			t.Errorf("%s (%s): its page answers %d, want %d", tt.subject, tt.status, w.Code, want)
		}
		if (tt.listed || tt.page) && !strings.Contains(w.Body.String(), "4 March 2024") {
			t.Errorf("%s (%s): its page is not dated 4 March 2024, when it started going out:\n%s", tt.subject, tt.status, w.Body)
		}
		// One still going out does not say it was sent.
		if want := map[bool]string{true: "Going out since 4 March 2024", false: "Sent 4 March 2024"}[tt.page]; (tt.listed || tt.page) && !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s (%s): its page does not say %q:\n%s", tt.subject, tt.status, want, w.Body)
		}
	}
	if strings.Contains(index, "6 March 2024") {
		t.Error("an issue is dated by its last delivery, not by when it went out")
	}
}

// An archived campaign showed its personal fields as a reader named
// "reader": "Hi {{ .Name | default "friend" }}" read "Hi reader" rather
// than the editor's fallback, and "Dear {{ .Name }}," read "Dear reader,"
// where a reader without a name reads "Dear ,". The archive reads as the
// mail does to a reader without a name, each fallback as written, and a
// name with none is left out with the space or comma before it, even for
// a campaign whose stored copy was filled for "reader".
func TestArchiveGreetingReadsAsToANamelessReader(t *testing.T) {
	db, h, _ := digestServer(t)
	tests := []struct {
		body, want string
	}{
		{`Hi {{ .Name | default "friend" }}, the ferry runs again.`, ">Hi friend, the ferry runs again.</p>"},
		{"Dear {{ .Name }},\n\nThe ferry runs again.", ">Dear,</p>"},
		{"Hi **{{ .Name }}**, welcome.", ">Hi, welcome.</p>"},
		{"Hi *[{{ .Name }}](https://news.example/me)*, welcome.", ">Hi, welcome.</p>"},
		{"Thanks for reading, {{ .Name }}!", ">Thanks for reading!</p>"},
		{"Hello {{.Name}}, and welcome aboard.", ">Hello, and welcome aboard.</p>"},
		{"{{ .Name }}, the ferry runs again.", ">The ferry runs again.</p>"},
		{"See you on deck {{ .Name }} and bring a coat.", ">See you on deck and bring a coat.</p>"},
	}
	for i, tt := range tests {
		id := pastIssue(t, db, "Greeting "+strconv.Itoa(i), tt.body, "sent", time.Now())
		// As a campaign saved by an earlier version stored it.
		if _, err := db.Write.Exec(`UPDATE campaigns SET body_html = '<p>Hi reader, the ferry runs again.</p>' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		w := do(t, h, "GET", "/archive/"+strconv.FormatInt(id, 10), "", "")
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, tt.want) {
			t.Errorf("%q: archived as %d, want it to read %q:\n%s", tt.body, w.Code, tt.want, body)
		}
		for _, bad := range []string{"reader", "BLTN"} {
			if strings.Contains(body, bad) {
				t.Errorf("%q: the archived issue says %q", tt.body, bad)
			}
		}
	}
	// The fallback is the one a reader without a name gets by mail.
	html, _, err := campaigns.RenderFor(tests[0].body, mailer.Personal{Email: "ann@example.org"})
	if err != nil || !strings.Contains(html, tests[0].want) {
		t.Errorf("a nameless reader's copy = %q, %v; want it to read %q as the archive does", html, err, tests[0].want)
	}
}

// A page after an issue that never went out, or after no campaign at all,
// is no page of the archive: its order has no place for it.
func TestArchivePageAfterUnknownIssue(t *testing.T) {
	db, h, _ := digestServer(t)
	draft := &campaigns.Campaign{Subject: "A draft", Body: "Not yet.", Lists: []string{"news"}}
	if err := campaigns.NewStore(db).Create(context.Background(), draft); err != nil {
		t.Fatal(err)
	}
	pastIssue(t, db, "Harbour letter", "The quay reopens.", "sent", time.Now())
	for _, before := range []int64{draft.ID, 999} {
		path := "/archive?before=" + strconv.FormatInt(before, 10)
		w := do(t, h, "GET", path, "", "")
		if w.Code != 404 || !strings.Contains(w.Body.String(), "No such page") {
			t.Errorf("GET %s = %d, want 404 No such page:\n%s", path, w.Code, w.Body)
		}
	}
}
