package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

var reportQuiet = regexp.MustCompile(`<p class="muted" id="quiet" style="margin:0">(.*?)</p>`)

// A report nobody clicked or opened said "No clicks or opens yet." of
// every campaign, promising clicks and opens to one sent without tracking
// and to one cancelled before it sent anything, which will never have
// any; the cancelled one's report also said it was "Not sent yet". Each
// now says what is true of it, and a campaign sent tracked still says
// "No clicks or opens yet.". The hint beside uncounted opens, to tick
// "Count opens" on a list, adds for an untracked campaign that it counts
// only while the list's click tracking is not off.
func TestQuietReportSaysWhyThereIsNothing(t *testing.T) {
	_, a, db := newReportAdminMailing(t, reportMail{tracked: true})
	exec := execer(t, db)
	now := sqlite.Now()
	started := now.Add(-time.Hour)
	a.login("correct horse battery")
	for _, c := range []struct {
		name string
		// list is the tracking and opens of the campaign's list now;
		// mode and opens are those the campaign was sent with.
		list, mode       string
		listOpens, opens bool
		status           string
		started          bool
		deliveries       string   // the status of its 3 deliveries, "" for none
		want             string   // what the report says in place of its charts
		has              []string // what the report must have besides
		not              []string
	}{
		{name: "sent tracked", list: "on", listOpens: true, mode: "on", opens: true, status: "sent", started: true, deliveries: "sent",
			want: "No clicks or opens yet."},
		{name: "sent untracked", list: "off", mode: "off", status: "sent", started: true, deliveries: "sent",
			want: "This campaign went out without click or open tracking, so there is nothing to count.",
			has: []string{"Link tracking was off for this campaign",
				"“Count opens” on a list's page counts them in the mail it sends from then on, while the list's click tracking is not off."}, not: []string{"No clicks or opens yet."}},
		{name: "sent without opens", list: "anonymous", mode: "anonymous", status: "sent", started: true, deliveries: "sent",
			want: "No clicks yet. Opens are not counted for this campaign.", not: []string{"No clicks or opens yet.", "click tracking is not off"},
			has: []string{"“Count opens” on a list's page counts them in the mail it sends from then on."}},
		{name: "tracking turned off since", list: "off", mode: "on", opens: true, status: "sent", started: true, deliveries: "sent",
			want: "No clicks or opens were counted, and its lists no longer count them.", not: []string{"No clicks or opens yet."}},
		{name: "sending untracked", list: "off", mode: "off", status: "sending", started: true, deliveries: "queued",
			want: "This campaign is going out without click or open tracking, so there is nothing to count."},
		{name: "sent, every message failed", list: "on", listOpens: true, mode: "on", opens: true, status: "sent", started: true, deliveries: "failed",
			want: "None of its mail went out, so there is nothing to count.", not: []string{"No clicks or opens yet."}},
		{name: "cancelled before start", list: "on", listOpens: true, mode: "off", status: "cancelled",
			want: "Nothing was sent, so there is nothing to count.",
			has:  []string{`<p class="muted" id="never-sent">Cancelled before any mail went out: this campaign was never sent.</p>`},
			not:  []string{"No clicks or opens yet.", "Not sent yet", "Link tracking", "Opens are not counted"}},
		{name: "cancelled with nothing sent", list: "on", listOpens: true, mode: "on", opens: true, status: "cancelled", started: true, deliveries: "skipped",
			want: "Nothing was sent, so there is nothing to count.", has: []string{`id="never-sent"`}, not: []string{"No clicks or opens yet."}},
		{name: "draft to a tracked list", list: "on", listOpens: true, status: "draft",
			want: "Nothing to count until it is sent.", has: []string{"Not sent yet: its figures start when it is sent.</p>"}},
		{name: "draft to an untracked list", list: "off", status: "draft",
			want: "Nothing to count: it is not sent yet, and it will go out without click or open tracking.",
			has:  []string{"Link tracking is off for its lists"}, not: []string{"No clicks or opens yet."}},
	} {
		slug := strings.ReplaceAll(c.name, " ", "-")
		slug = strings.ReplaceAll(slug, ",", "")
		list := exec(`INSERT INTO lists (slug, name, tracking, opens, created_at) VALUES (?, ?, ?, ?, ?)`, slug, c.name, c.list, c.listOpens, now)
		var start, finish any
		if c.started {
			start = started
		}
		if c.status == "sent" || c.status == "cancelled" {
			finish = now
		}
		if c.mode == "" {
			c.mode = "off" // the mode stored until a campaign starts
		}
		id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, finished_at, created_at, updated_at) VALUES ('campaign', ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.name, c.status, c.mode, c.opens, start, finish, now, now)
		exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, id, list)
		exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 0, 'https://news.test/ferry')`, id)
		for i := range 3 {
			if c.deliveries == "" {
				break
			}
			email := slug + strconv.Itoa(i) + "@example.com"
			sub := exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, email, email, now, now)
			exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at) VALUES (?, ?, ?, ?)`, id, sub, c.deliveries, started)
		}
		path := "/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report"
		resp, body := a.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: GET %s = %d", c.name, path, resp.StatusCode)
		}
		m := reportQuiet.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%s: the report does not say why it has nothing to show:\n%s", c.name, body)
			continue
		}
		if m[1] != c.want {
			t.Errorf("%s: the report says %q, want %q", c.name, m[1], c.want)
		}
		for _, has := range c.has {
			if !strings.Contains(body, has) {
				t.Errorf("%s: the report lacks %s", c.name, has)
			}
		}
		for _, not := range c.not {
			if strings.Contains(body, not) {
				t.Errorf("%s: the report says %q", c.name, not)
			}
		}
	}
}
