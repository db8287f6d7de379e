package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// another is a second campaign of e's server to the same 1,200 readers,
// with e's steps.
func (e *progressEnv) another(subject string) *progressEnv {
	e.t.Helper()
	o := *e
	o.page, o.api = createCampaign(e.t, e.a, e.token, `{"subject":"`+subject+`","body":"Hello","lists":["news"]}`)
	id, err := strconv.ParseInt(strings.TrimPrefix(o.api, "/api/v1/campaigns/"), 10, 64)
	if err != nil {
		e.t.Fatal(err)
	}
	o.campaignID = id
	return &o
}

// joinNews adds a confirmed reader of news who joined now.
func (e *progressEnv) joinNews(email string) {
	e.t.Helper()
	now := time.Now().UTC()
	for _, q := range []string{
		`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?1, ?1, 'confirmed', ?2, ?2)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
			SELECT s.id, l.id, 'active', ?2, ?2 FROM subscribers s, lists l WHERE l.slug = 'news' AND s.email = ?1`,
	} {
		if _, err := e.db.Write.Exec(q, email, now); err != nil {
			e.t.Fatal(err)
		}
	}
}

var (
	pageSentRe    = regexp.MustCompile(`<strong id="sent">([0-9,]+)</strong> of <strong id="total">([0-9,]+)</strong> sent`)
	pageNotSentRe = regexp.MustCompile(`Cancelled: <strong>([0-9,]+) readers?</strong> not sent`)
)

// shown is what the campaign page and the list say of a campaign's send:
// "300 of 1,200 sent", and "900 not sent" when it was cancelled short.
type shown struct{ Sent, NotSent string }

// pageShows reads the numbers of e's campaign page.
func (e *progressEnv) pageShows() shown {
	e.t.Helper()
	resp, body := e.a.get(e.page)
	m := pageSentRe.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		e.t.Fatalf("GET %s = %d, with no \"N of M sent\":\n%s", e.page, resp.StatusCode, progressCard(body))
	}
	s := shown{Sent: m[1] + " of " + m[2] + " sent"}
	if m := pageNotSentRe.FindStringSubmatch(body); m != nil {
		s.NotSent = m[1] + " not sent"
	}
	return s
}

// listShows reads the Progress cell of e's campaign in the campaigns list
// body.
func (e *progressEnv) listShows(body string) shown {
	e.t.Helper()
	row := regexp.MustCompile(`<a href="` + e.page + `">.*?</tr>`).FindString(body)
	m := regexp.MustCompile(`<td data-label="Progress">(.*?)</td>`).FindStringSubmatch(row)
	if m == nil {
		e.t.Fatalf("the list has no progress for %s:\n%s", e.page, row)
	}
	var s shown
	for _, part := range strings.Split(m[1], " · ") {
		part = strings.TrimSuffix(strings.TrimPrefix(part, `<span style="white-space:nowrap">`), `</span>`)
		switch {
		case strings.HasSuffix(part, " sent") && strings.Contains(part, " of "):
			s.Sent = part
		case strings.HasSuffix(part, " not sent"):
			s.NotSent = part
		}
	}
	return s
}

// The campaigns list says what each campaign's page says of its send,
// in the same words and grouped numbers: sent of the readers it is for,
// and how many a cancelled campaign never sent. A paused campaign is
// measured against the readers as of its pause on both: one who joins
// while it waits counts once it sends again.
func TestCampaignListAgreesWithTheCampaignPage(t *testing.T) {
	sending := newProgressEnv(t)
	paused := sending.another("Paused news")
	cancelled := sending.another("Cancelled news")
	for _, c := range []struct {
		e    *progressEnv
		sent int
		stop string
	}{{sending, 200, ""}, {paused, 300, "pause"}, {cancelled, 300, "cancel"}} {
		c.e.step("send")
		c.e.fanout()
		c.e.markSent(c.sent)
		if c.stop != "" {
			c.e.step(c.stop)
		}
	}
	sending.joinNews("late@example.com")

	want := map[string]shown{
		"sending":   {Sent: "200 of 1,200 sent"},
		"paused":    {Sent: "300 of 1,200 sent"},
		"cancelled": {Sent: "300 of 1,200 sent", NotSent: "900 not sent"},
	}
	pages, lists := map[string]shown{}, map[string]shown{}
	_, list := sending.a.get("/admin/campaigns")
	for name, e := range map[string]*progressEnv{"sending": sending, "paused": paused, "cancelled": cancelled} {
		pages[name], lists[name] = e.pageShows(), e.listShows(list)
	}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("the campaign pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(pages, lists); diff != "" {
		t.Errorf("the campaigns list against the campaign pages (-page +list):\n%s", diff)
	}
}

// The campaigns list and a stopped campaign's page count no reader: the
// readers a paused or cancelled campaign did not reach were counted when
// it stopped (0.6 s a campaign at 1,000,000 readers, for up to 200 of
// them on the list). With the readers' subscriptions out of reach, where
// any count of them fails, both still show every number.
func TestCampaignListCountsNoReaders(t *testing.T) {
	paused := newProgressEnv(t)
	cancelled := paused.another("Cancelled news")
	for _, c := range []struct {
		e    *progressEnv
		stop string
	}{{paused, "pause"}, {cancelled, "cancel"}} {
		c.e.step("send")
		c.e.fanout()
		c.e.markSent(300)
		c.e.step(c.stop)
	}
	if _, err := paused.db.Write.Exec(`ALTER TABLE subscriptions RENAME TO subscriptions_away`); err != nil {
		t.Fatal(err)
	}

	resp, list := paused.a.get("/admin/campaigns")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/campaigns with no reader to count = %d:\n%s", resp.StatusCode, list)
	}
	want := map[string]shown{
		"paused":    {Sent: "300 of 1,200 sent"},
		"cancelled": {Sent: "300 of 1,200 sent", NotSent: "900 not sent"},
	}
	got := map[string]shown{}
	for name, e := range map[string]*progressEnv{"paused": paused, "cancelled": cancelled} {
		got[name] = e.listShows(list)
		if page := e.pageShows(); page != want[name] {
			t.Errorf("the %s campaign's page, with no reader to count: %+v, want %+v", name, page, want[name])
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the campaigns list with no reader to count (-want +got):\n%s", diff)
	}
}
