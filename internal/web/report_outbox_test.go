package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// quietReport is an admin whose mail goes to the outbox (outbox) or over
// SMTP, with a campaign sent to 13 readers of list "news" an hour ago, a
// tracked link in it and, when clicked, one click on it: the path of its
// report.
func quietReport(t *testing.T, m reportMail, clicked bool) (*adminClient, string) {
	t.Helper()
	_, a, db := newReportAdminMailing(t, m)
	exec := execer(t, db)
	now := sqlite.Now()
	started := now.Add(-time.Hour)
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, started_at, finished_at, created_at, updated_at) VALUES ('campaign', 'Ferry news', 'sent', 'on', ?, ?, ?, ?)`, started, started, now, now)
	exec(`INSERT INTO campaign_lists (campaign_id, list_id) SELECT ?, id FROM lists WHERE slug = 'news'`, id)
	exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 0, 'https://news.test/ferry')`, id)
	for i := range 13 {
		email := "r" + strconv.Itoa(i) + "@example.com"
		sub := exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, email, email, now, now)
		exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, id, sub, started, started)
	}
	if clicked {
		exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at) VALUES (?, 0, 1, ?)`, id, started.Add(10*time.Minute))
	}
	a.login("correct horse battery")
	return a, "/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report"
}

// With no SMTP server the campaign's page says its mail was written to
// the outbox and reached no reader; its report said "Delivered 13". The
// report now says what the page says: the messages were written to the
// outbox. With SMTP set it still says delivered, and so with serve
// --no-send, whose workers mail the campaigns.
func TestReportSaysOutboxNotDelivered(t *testing.T) {
	for _, tt := range []struct {
		mail      reportMail
		want, not []string
	}{
		{reportMail{outbox: true}, []string{`<th>Written to the outbox</th>`, `<td data-label="Written to the outbox">13</td>`,
			`<p id="outbox-sent"><strong class="error">Written to the outbox, not mailed:</strong> no SMTP server is set`,
			"of the messages written to the outbox."},
			[]string{"Delivered", "delivered"}},
		{reportMail{}, []string{`<th>Delivered</th>`, `<td data-label="Delivered">13</td>`, "of the messages delivered."},
			[]string{"outbox-sent", "Written to the outbox"}},
		// serve --no-send with no SMTP server of its own: the workers
		// mailed the campaign, and serve's outbox holds only its own mail.
		{reportMail{outbox: true, workersSend: true}, []string{`<th>Delivered</th>`, `<td data-label="Delivered">13</td>`, "of the messages delivered."},
			[]string{"outbox-sent", "Written to the outbox"}},
	} {
		a, report := quietReport(t, tt.mail, true)
		resp, body := a.get(report)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", report, resp.StatusCode)
		}
		for _, want := range tt.want {
			if !strings.Contains(body, want) {
				t.Errorf("%+v: the report lacks %s", tt.mail, want)
			}
		}
		for _, not := range tt.not {
			if strings.Contains(body, not) {
				t.Errorf("%+v: the report says %q", tt.mail, not)
			}
		}
	}
}

// A report with no clicks and no opens said so three times: "No clicks
// yet" in an empty chart over time, "No clicks or opens yet." beside it,
// and "No clicks yet" in an empty chart of its links. It now says it
// once, with no empty chart; its link's row still shows 0. One click
// brings the charts back.
func TestQuietReportSaysItOnce(t *testing.T) {
	a, report := quietReport(t, reportMail{outbox: true}, false)
	_, body := a.get(report)
	if n := strings.Count(body, "No clicks or opens yet."); n != 1 {
		t.Errorf("the report says %d times that nobody clicked or opened, want once", n)
	}
	for _, not := range []string{"No clicks yet", `<svg role="img"`, "<figure", "Clicks by hour", "Clicks per link"} {
		if strings.Contains(body, not) {
			t.Errorf("the quiet report has %s", not)
		}
	}
	if !strings.Contains(body, `title="https://news.test/ferry" rel="noopener noreferrer">news.test/ferry</a></td><td data-label="Clicks">0</td>`) {
		t.Errorf("the quiet report lacks its link's row with 0 clicks")
	}

	a, report = quietReport(t, reportMail{outbox: true}, true)
	_, body = a.get(report)
	if strings.Contains(body, "No clicks or opens yet.") || strings.Count(body, `<svg role="img"`) != 2 {
		t.Errorf("a report with a click lacks its two charts or says nobody clicked")
	}
}
