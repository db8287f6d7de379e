package campaigns_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/subscribers"
)

const trackSecret = "tracking-secret-0123456789abcdef"

// trackBody has links of every kind: one URL twice, an autolink, a
// personal field in a URL, mailto, an anchor and an image.
const trackBody = `Hello {{ .Name }},

Read the [timetable](https://news.example/ferry?day=mon&dir=north) and the [map](https://maps.example/harbour).
Again: the [timetable](https://news.example/ferry?day=mon&dir=north), your [account](https://news.example/account?e={{ .Email }}),
[write to us](mailto:desk@news.example), [back to the top](#top), ![a gull](https://img.example/gull.png)
and <https://other.example/page>.
`

// The tracked URLs of trackBody's message, in the order they come: the
// masthead's link to the publication first.
var trackURLs = []string{"https://news.example", "https://news.example/ferry?day=mon&dir=north", "https://maps.example/harbour", "https://other.example/page"}

// trackedLink matches a tracked link: BASE/r/LINK.READER.
var trackedLink = regexp.MustCompile(`https://news\.example/r/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)`)

// pixel matches the open pixel.
var pixel = regexp.MustCompile(`<img src="https://news\.example/o/([A-Za-z0-9_-]+)\.gif" width="1" height="1" alt="" style="display:block;border:0">`)

type trackEnv struct {
	*env
	tokens *tracking.Signer
	smtp   *smtptest.Server
}

func newTrackEnv(t *testing.T) *trackEnv {
	t.Helper()
	e := &trackEnv{env: newEnv(t), tokens: tracking.NewSigner([]byte(trackSecret)), smtp: smtptest.Start(t)}
	e.svc.Tracker = tracking.NewSigner([]byte(trackSecret))
	return e
}

// addTrackedList adds a list with its tracking mode and opens setting.
func (e *trackEnv) addTrackedList(t *testing.T, slug, mode string, opens bool) int64 {
	t.Helper()
	id := e.addList(t, slug)
	e.exec(t, `UPDATE lists SET tracking = ?, opens = ? WHERE id = ?`, mode, opens, id)
	return id
}

// sendAll sends every queued mail (a digest's fan-out hands out its
// batches first) to the SMTP test server, over TCP, and returns the
// messages it got by recipient.
func (e *trackEnv) sendAll(t *testing.T) map[string]*mailtest.Mail {
	t.Helper()
	e.deliverQueued(t, e.smtp)
	out := map[string]*mailtest.Mail{}
	for _, m := range e.smtp.Messages() {
		out[m.To[0]] = mailtest.Parse(t, m.Data)
	}
	return out
}

// links reads campaign id's campaign_links rows, by index.
func (e *trackEnv) links(t *testing.T, id int64) (urls []string, articles []int64) {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT idx, url, article_id FROM campaign_links WHERE campaign_id = ? ORDER BY idx`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int
		var url string
		var article sql.NullInt64
		if err := rows.Scan(&idx, &url, &article); err != nil {
			t.Fatal(err)
		}
		if idx != len(urls) {
			t.Errorf("campaign %d: link index %d after %d links", id, idx, len(urls))
		}
		urls = append(urls, url)
		articles = append(articles, article.Int64)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return urls, articles
}

// mode reads the tracking a campaign was sent with.
func (e *trackEnv) mode(t *testing.T, id int64) (string, bool) {
	t.Helper()
	var mode string
	var opens bool
	if err := e.db.Read.QueryRow(`SELECT tracking, opens FROM campaigns WHERE id = ?`, id).Scan(&mode, &opens); err != nil {
		t.Fatal(err)
	}
	return mode, opens
}

func (e *trackEnv) delivery(t *testing.T, cid int64, email string) int64 {
	t.Helper()
	var id int64
	err := e.db.Read.QueryRow(`SELECT d.id FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.campaign_id = ? AND s.email = ?`, cid, email).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// clicks checks every tracked link of part: it parses to campaign cid
// and the delivery, names a stored link, and returns the URLs it goes to
// and the reader tokens it carries.
func (e *trackEnv) clicks(t *testing.T, part string, cid, delivery int64, urls []string) (to []string, readers map[string]bool) {
	t.Helper()
	readers = map[string]bool{}
	for _, m := range trackedLink.FindAllStringSubmatch(part, -1) {
		c, err := e.tokens.ParseClick(m[1] + "." + m[2])
		if err != nil {
			t.Errorf("%s: %v", m[0], err)
			continue
		}
		if c.Campaign != cid || c.Delivery != delivery {
			t.Errorf("%s names campaign %d, delivery %d; want %d, %d", m[0], c.Campaign, c.Delivery, cid, delivery)
		}
		if c.Index >= len(urls) {
			t.Errorf("%s: link %d of %d stored", m[0], c.Index, len(urls))
			continue
		}
		to = append(to, urls[c.Index])
		readers[m[2]] = true
	}
	return to, readers
}

func TestTrackedCampaign(t *testing.T) {
	tests := []struct {
		mode      string
		listOpens bool
		opens     bool // a pixel is in each message
	}{
		{"on", true, true},
		{"on", false, false},
		{"anonymous", false, false},
		{"anonymous", true, true},
		{"off", true, false}, // nothing at all is tracked
	}
	for _, tt := range tests {
		name := tt.mode + "/opens=" + map[bool]string{true: "on", false: "off"}[tt.listOpens]
		t.Run(name, func(t *testing.T) {
			e := newTrackEnv(t)
			ctx := context.Background()
			list := e.addTrackedList(t, "news", tt.mode, tt.listOpens)
			readers := e.addReaders(t, 3, list)
			c := &campaigns.Campaign{Subject: "Ferries", Body: trackBody, Lists: []string{"news"}}
			if err := e.svc.Schedule(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Send(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			e.fanout(t)
			msgs := e.sendAll(t)
			if len(msgs) != 3 {
				t.Fatalf("%d messages, want 3", len(msgs))
			}
			mode, opens := e.mode(t, c.ID)
			if mode != tt.mode || opens != tt.opens {
				t.Errorf("campaign tracking = %q, opens %t; want %q, %t", mode, opens, tt.mode, tt.opens)
			}
			urls, _ := e.links(t, c.ID)
			allReaders := map[string]bool{}
			for i, sid := range readers {
				email := "r0" + string(rune('0'+i)) + "@example.com"
				pm := msgs[email]
				if pm == nil {
					t.Fatalf("no message to %s", email)
				}
				d := e.delivery(t, c.ID, email)
				e.checkUntouched(t, pm, sid, list, email)
				htmlTo, htmlReaders := e.clicks(t, pm.HTML, c.ID, d, urls)
				textTo, textReaders := e.clicks(t, pm.Text, c.ID, d, urls)
				px := pixel.FindAllStringSubmatch(pm.HTML, -1)
				if tt.mode == "off" {
					if len(htmlTo)+len(textTo) > 0 || strings.Contains(pm.HTML+pm.Text, "news.example/r/") {
						t.Errorf("%s: links tracked with tracking off", email)
					}
					for _, u := range trackURLs[1:] {
						if !strings.Contains(pm.Text, u) || !strings.Contains(pm.HTML, `href="`+strings.ReplaceAll(u, "&", "&amp;")+`"`) {
							t.Errorf("%s: %s is not linked as it is", email, u)
						}
					}
				} else {
					want := []string{trackURLs[0], trackURLs[1], trackURLs[2], trackURLs[1], trackURLs[3]}
					if diff := cmp.Diff(want, htmlTo); diff != "" {
						t.Errorf("%s: HTML part's links (-want +got):\n%s", email, diff)
					}
					// The text part keeps the URLs it links, readable: only
					// the HTML part goes through the redirect.
					if len(textTo) != 0 || strings.Contains(pm.Text, "news.example/r/") {
						t.Errorf("%s: the text part has tracked links %q", email, textTo)
					}
					for _, u := range trackURLs[1:] {
						// An autolink's text in the HTML part still shows its URL.
						if strings.Contains(pm.HTML, `href="`+strings.ReplaceAll(u, "&", "&amp;")+`"`) {
							t.Errorf("%s: %s is linked untracked in the HTML part", email, u)
						}
						if !strings.Contains(pm.Text, u) {
							t.Errorf("%s: the text part lacks %s", email, u)
						}
					}
					if len(htmlReaders) != 1 || len(textReaders) != 0 {
						t.Errorf("%s: reader tokens %v in HTML and %v in text, want one and none", email, htmlReaders, textReaders)
					}
					for r := range htmlReaders {
						allReaders[r] = true
					}
				}
				if strings.Contains(pm.Text, "/o/") {
					t.Errorf("%s: the text part has an open pixel", email)
				}
				if !tt.opens {
					if len(px) != 0 || strings.Contains(pm.HTML, "news.example/o/") {
						t.Errorf("%s: open pixel without opens", email)
					}
					continue
				}
				if len(px) != 1 || strings.Count(pm.HTML, "/o/") != 1 {
					t.Fatalf("%s: %d open pixels, want 1", email, len(px))
				}
				if !strings.HasPrefix(strings.TrimSpace(pm.HTML[strings.Index(pm.HTML, px[0][0])+len(px[0][0]):]), "</body>") {
					t.Errorf("%s: the open pixel is not at the end of the body", email)
				}
				pc, pd, err := e.tokens.ParseReader(px[0][1])
				if err != nil || pc != c.ID || pd != d {
					t.Errorf("%s: pixel names campaign %d, delivery %d (%v); want %d, %d", email, pc, pd, err, c.ID, d)
				}
				if tt.mode != "off" && !allReaders[px[0][1]] {
					t.Errorf("%s: the pixel's reader %s is not the links'", email, px[0][1])
				}
			}
			if tt.mode == "off" {
				if len(urls) != 0 {
					t.Errorf("links stored with tracking off: %q", urls)
				}
				return
			}
			if diff := cmp.Diff(trackURLs, urls); diff != "" {
				t.Errorf("campaign_links (-want +got):\n%s", diff)
			}
			if len(allReaders) != 3 {
				t.Errorf("%d reader tokens for 3 readers", len(allReaders))
			}
		})
	}
}

// checkUntouched checks that the links that must never be tracked are
// as they were: unsubscribe and preferences (and the header), mailto, an
// anchor, an image, and a URL with the reader's own address in it. The
// unsubscribe link is that of list, the one the mail went to.
func (e *trackEnv) checkUntouched(t *testing.T, pm *mailtest.Mail, sid, list int64, email string) {
	t.Helper()
	unsub := "https://news.example/unsubscribe/" + e.svc.Signer.SignList(sid, list)
	prefs := "https://news.example/preferences/" + e.svc.Signer.Sign(subscribers.TokenPreferences, sid, 0)
	if got := pm.Header.Get("List-Unsubscribe"); got != "<"+unsub+">" {
		t.Errorf("%s: List-Unsubscribe = %q, want <%s>", email, got, unsub)
	}
	for _, want := range []string{`href="` + unsub + `"`, `href="` + prefs + `"`, `href="mailto:desk@news.example"`, `href="#top"`,
		`src="https://img.example/gull.png"`, `href="https://news.example/account?e=` + strings.ReplaceAll(email, "@", "%40") + `"`} {
		if !strings.Contains(pm.HTML, want) {
			t.Errorf("%s: HTML part lacks %s", email, want)
		}
	}
	for _, want := range []string{" " + unsub + "\n", " " + prefs + "\n", "(https://img.example/gull.png)"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("%s: text part lacks %q", email, want)
		}
	}
}

// TestTrackedCampaignStrictestList: a campaign to several lists is
// tracked as the least tracked of them, with opens only when every list
// has them.
func TestTrackedCampaignStrictestList(t *testing.T) {
	type list struct {
		mode  string
		opens bool
	}
	tests := []struct {
		lists []list
		mode  string
		opens bool
	}{
		{[]list{{"on", true}, {"anonymous", true}}, "anonymous", true},
		{[]list{{"on", true}, {"on", false}}, "on", false},
		{[]list{{"anonymous", true}, {"off", true}, {"on", true}}, "off", false},
		{[]list{{"on", true}, {"on", true}}, "on", true},
	}
	for _, tt := range tests {
		e := newTrackEnv(t)
		ctx := context.Background()
		var slugs []string
		for i, l := range tt.lists {
			slug := "list" + string(rune('a'+i))
			id := e.addTrackedList(t, slug, l.mode, l.opens)
			e.addSubscriber(t, slug+"@example.com", "confirmed", id)
			slugs = append(slugs, slug)
		}
		c := &campaigns.Campaign{Subject: "Ferries", Body: trackBody, Lists: slugs}
		if err := e.svc.Schedule(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		e.fanout(t)
		msgs := e.sendAll(t)
		mode, opens := e.mode(t, c.ID)
		if mode != tt.mode || opens != tt.opens {
			t.Errorf("lists %v: campaign tracking %q, opens %t; want %q, %t", tt.lists, mode, opens, tt.mode, tt.opens)
		}
		for to, pm := range msgs {
			tracked := trackedLink.MatchString(pm.HTML)
			if tracked != (tt.mode != "off") || trackedLink.MatchString(pm.Text) {
				t.Errorf("lists %v: message to %s tracked: %t", tt.lists, to, tracked)
			}
			if got := len(pixel.FindAllString(pm.HTML, -1)); got != map[bool]int{true: 1}[tt.opens] {
				t.Errorf("lists %v: message to %s has %d pixels", tt.lists, to, got)
			}
		}
	}
}

// TestTrackedDigest: a digest's links to its articles are stored with
// the article they go to.
func TestTrackedDigest(t *testing.T) {
	e := newTrackEnv(t)
	ctx := context.Background()
	list := e.addTrackedList(t, "daily", "anonymous", false)
	e.exec(t, `UPDATE lists SET digest = 'daily' WHERE id = ?`, list)
	e.addReaders(t, 2, list)
	articles := map[string]int64{}
	for i, url := range []string{"https://news.example/2026/ferry", "https://news.example/2026/bridge"} {
		res, err := e.db.Write.Exec(`INSERT INTO articles (url, title, summary, published_at, created_at) VALUES (?, ?, 'A summary.', ?, ?)`,
			url, "Story "+url[len(url)-5:], time.Now().Add(-time.Duration(i+1)*time.Hour), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		articles[url], _ = res.LastInsertId()
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, articles[url], list)
	}
	d, err := e.svc.RunDigest(ctx, "daily")
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.sendAll(t)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	urls, ids := e.links(t, d.ID)
	want := map[string]int64{"https://news.example": 0}
	for u, id := range articles {
		want[u] = id
	}
	got := map[string]int64{}
	for i, u := range urls {
		got[u] = ids[i]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digest links and their articles (-want +got):\n%s", diff)
	}
	for to, pm := range msgs {
		htmlTo, _ := e.clicks(t, pm.HTML, d.ID, e.delivery(t, d.ID, to), urls)
		textTo, _ := e.clicks(t, pm.Text, d.ID, e.delivery(t, d.ID, to), urls)
		// Image-less articles: a title and a "Read more" each in HTML,
		// tracked; the URL under the title in text, as it is.
		if len(htmlTo) != 5 || len(textTo) != 0 {
			t.Errorf("%s: %d tracked links in HTML, %d in text; want 5 and 0", to, len(htmlTo), len(textTo))
		}
		for u := range articles {
			if strings.Contains(pm.HTML, u) {
				t.Errorf("%s: %s linked untracked in the HTML part", to, u)
			}
			if !strings.Contains(pm.Text, u+"\n") {
				t.Errorf("%s: the text part lacks %s on its own line", to, u)
			}
		}
	}
}

// TestTrackedCampaignTestSend: a test send names no delivery, so its
// links are not tracked.
func TestTrackedCampaignTestSend(t *testing.T) {
	e := newTrackEnv(t)
	ctx := context.Background()
	e.addTrackedList(t, "news", "on", true)
	k := &keepTransport{}
	e.svc.Transport = k
	c := &campaigns.Campaign{Subject: "Ferries", Body: trackBody, Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TestSend(ctx, c.ID, []string{"editor@example.com"}); err != nil {
		t.Fatal(err)
	}
	pm := mailtest.Parse(t, k.msgs["editor@example.com"])
	if strings.Contains(pm.HTML+pm.Text, "news.example/r/") || strings.Contains(pm.HTML, "news.example/o/") {
		t.Error("a test send has tracked links or an open pixel")
	}
	if !strings.Contains(pm.HTML, `href="https://maps.example/harbour"`) {
		t.Error("a test send lacks its links")
	}
}

// A tracked campaign's text part keeps the URLs it links as written: only
// the HTML part's links go through BASE/r/, so a reader of the plain text
// sees where each link leads (EMAIL.md, "Signed and traceable").
func TestTrackedTextPartKeepsOriginalURLs(t *testing.T) {
	for _, mode := range []string{"on", "anonymous"} {
		t.Run(mode, func(t *testing.T) {
			e := newTrackEnv(t)
			ctx := context.Background()
			list := e.addTrackedList(t, "news", mode, false)
			e.addReaders(t, 1, list)
			body := "Read the [map](https://maps.example/harbour) and <https://other.example/page>.\n"
			c := &campaigns.Campaign{Subject: "Ferries", Body: body, Lists: []string{"news"}}
			if err := e.svc.Schedule(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Send(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			e.fanout(t)
			msgs := e.sendAll(t)
			pm := msgs["r00@example.com"]
			if pm == nil {
				t.Fatalf("no message to r00@example.com")
			}
			if !strings.Contains(pm.HTML, "https://news.example/r/") {
				t.Fatalf("the HTML part has no tracked link: tracking is not on in this test")
			}
			for _, u := range []string{"https://maps.example/harbour", "https://other.example/page"} {
				if !strings.Contains(pm.Text, u) {
					t.Errorf("text part lacks the original URL %s", u)
				}
			}
			if strings.Contains(pm.Text, "https://news.example/r/") {
				t.Errorf("text part shows redirect URLs:\n%s", pm.Text)
			}
		})
	}
}
