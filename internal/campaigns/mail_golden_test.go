package campaigns_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The fixed inputs of the golden mails.
const (
	goldenBaseURL = "https://news.example"
	goldenFrom    = "Harbour Gazette <news@news.example>"
	goldenSecret  = "golden-secret-0123456789abcdef!!"
)

// goldenReader is the one recipient of every golden mail: a name with
// non-ASCII letters and an apostrophe, which the To header encodes and
// the HTML part escapes.
var goldenReader = mail.Address{Name: "Zoë O'Hara", Address: "zoe@example.org"}

// goldenEnv sends campaigns and digests as serve does, from the fan-out's
// mail:send tasks through the mailer's Sender, into a transport that
// keeps each message.
type goldenEnv struct {
	db     *sqlite.DB
	svc    *campaigns.Service
	q      *fakeQueue
	out    *keepTransport
	signer *subscribers.Signer
	reader int64 // the subscriber id of goldenReader
	list   int64 // the id of the list it is on
}

func newGoldenEnv(t *testing.T, list, name, digest string) *goldenEnv {
	t.Helper()
	db := sqlitetest.Open(t)
	tmpl := builtInTemplates(t)
	e := &goldenEnv{db: db, q: &fakeQueue{}, out: &keepTransport{}, signer: subscribers.NewSigner([]byte(goldenSecret))}
	e.svc = &campaigns.Service{
		Store: campaigns.NewStore(db), Queue: e.q, Signer: e.signer, Templates: tmpl,
		BaseURL: goldenBaseURL, From: goldenFrom,
	}
	now := sqlite.Now()
	listID := e.exec(t, `INSERT INTO lists (slug, name, public, digest, created_at) VALUES (?, ?, 1, ?, ?)`, list, name, digest, now)
	e.list = listID
	e.reader = e.exec(t, `INSERT INTO subscribers (email, email_key, name, status, frequency, created_at, updated_at)
		VALUES (?, ?, ?, 'confirmed', 'daily', ?, ?)`, goldenReader.Address, goldenReader.Address, goldenReader.Name, now, now)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`,
		e.reader, listID, now, now)
	return e
}

func (e *goldenEnv) exec(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	return execDB(t, e.db, q, args...)
}

// sendCampaign stores c and sends it, as far as its mail:send tasks.
func (e *goldenEnv) sendCampaign(t *testing.T, c *campaigns.Campaign) {
	t.Helper()
	ctx := context.Background()
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	for _, task := range e.q.take(queue.TypeCampaignFanout) {
		if err := e.svc.HandleFanout(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
}

// send runs the fan-out queued (a digest's hands out its batches then),
// gives every queued mail:send task to the mailer's Sender and returns
// the one message the reader got, normalised.
func (e *goldenEnv) send(t *testing.T) []byte {
	t.Helper()
	for _, task := range e.q.take(queue.TypeCampaignFanout) {
		if err := e.svc.HandleFanout(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	sender := &mailer.Sender{Batch: mailer.Batch(e.out, 1), Ledger: e.svc.Ledger()}
	tasks := e.q.take(queue.TypeMailSend)
	if len(tasks) != 1 {
		t.Fatalf("%d mail:send tasks, want 1", len(tasks))
	}
	p := payload(t, tasks[0])
	if err := sender.Send(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	raw := e.out.msgs[goldenReader.Address]
	if len(e.out.msgs) != 1 || raw == nil {
		t.Fatalf("mailed %d readers, want %s only", len(e.out.msgs), goldenReader.Address)
	}
	return mailtest.Normalize(t, raw)
}

// checkBulk checks what SPEC §4 asks of campaigns and digests besides
// mailtest.CheckHeaders: one-click List-Unsubscribe with the reader's own token,
// List-Id, and the unsubscribe and preferences links in both parts.
func (e *goldenEnv) checkBulk(t *testing.T, pm *mailtest.Mail, listID string) {
	t.Helper()
	unsub := goldenBaseURL + "/unsubscribe/" + e.signer.SignList(e.reader, e.list)
	prefs := goldenBaseURL + "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, e.reader, 0)
	for _, h := range [][2]string{
		{"List-Unsubscribe", "<" + unsub + ">"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"List-Id", listID},
	} {
		if got := pm.Header[h[0]]; len(got) != 1 || got[0] != h[1] {
			t.Errorf("%s = %q, want %q", h[0], got, h[1])
		}
	}
	for _, u := range []string{unsub, prefs} {
		if !strings.Contains(pm.Text, " "+u+"\n") {
			t.Errorf("text part lacks %s at the end of a line", u)
		}
		if !strings.Contains(pm.HTML, `href="`+u+`"`) {
			t.Errorf("HTML part lacks a link to %s", u)
		}
	}
}

func TestGoldenCampaignMail(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour Notes", "off")
	subject := "Harbour notes: Café — ferry timetable changes for the winter season"
	c := &campaigns.Campaign{Subject: subject, Lists: []string{"harbour"}, Body: `Hello {{ .Name }},

## Café — ferry timetable

From 1 December the café ferry leaves the north pier every **40 minutes**.
Read the [full timetable](https://news.example/ferry/winter-timetable) before you travel.

- Weekdays: 06:40 to 22:00
- Weekends & holidays: 08:00 to 20:00
- Bikes travel free

See you on board — and mind the gulls.
`}
	e.sendCampaign(t, c)
	golden := mailtest.Golden(t, "campaign", e.send(t), *update)
	pm := mailtest.Parse(t, golden)
	from, _ := mail.ParseAddress(goldenFrom)
	mailtest.CheckHeaders(t, golden, pm, from, &goldenReader, subject)
	e.checkBulk(t, pm, "Harbour Notes <harbour.news.example>")
	for _, want := range []string{"Hello Zoë O'Hara,", "Café — ferry", "https://news.example/ferry/winter-timetable"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("text part lacks %q", want)
		}
	}
	for _, want := range []string{"Hello Zoë O&#39;Hara,", ">Café — ferry timetable</h2>", `href="https://news.example/ferry/winter-timetable"`, ">Bikes travel free</li>", `<p style="margin:0 0 16px;">`} {
		if !strings.Contains(pm.HTML, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
}

func TestGoldenDigestMail(t *testing.T) {
	e := newGoldenEnv(t, "quayside", "Quayside Café", "daily")
	campaigns.SetClock(e.svc.Store, func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) })
	ctx := context.Background()
	articles := []struct {
		title, url, summary, body, author string
		published                         time.Time
	}{
		{"Ferry timetable changes", "https://news.example/2026/11/ferry-timetable",
			"The winter timetable starts on 1 December, with fewer crossings at night.", "", "Maren Holt",
			time.Date(2026, 11, 18, 9, 30, 0, 0, time.UTC)},
		{"Bridge reopens after repairs", "https://news.example/2026/11/bridge-reopens",
			"After eight months of work the swing bridge carries traffic again. The council says the new bearings should last forty years, " +
				"and the footpath on the harbour side, closed since March, opens next week once the railings are painted. Cyclists are asked " +
				"to dismount on the span until the resurfacing is finished in the spring.", "", "Ívar Lindqvist",
			time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)},
		{"Fish & chips on the pier turns 50", "https://news.example/2026/11/pier-chips",
			"", "The stall at the end of the pier opened in **1976**. Its owners say the [recipe](https://news.example/recipe) has not changed.\n\n## History\n\nMore to come.", "",
			time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)},
	}
	for _, a := range articles {
		id := e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.url, a.title, a.summary, a.body, a.author, a.published, sqlite.Now())
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'quayside'`, id)
	}
	d, err := e.svc.RunDigest(ctx, "quayside")
	if err != nil {
		t.Fatal(err)
	}
	if d.Articles != 3 || d.Recipients != 1 {
		t.Fatalf("digest = %+v, want 3 articles to 1 reader", d)
	}
	golden := mailtest.Golden(t, "digest", e.send(t), *update)
	pm := mailtest.Parse(t, golden)
	from, _ := mail.ParseAddress(goldenFrom)
	mailtest.CheckHeaders(t, golden, pm, from, &goldenReader, "Quayside Café (3 new stories): Bridge reopens after repairs")
	e.checkBulk(t, pm, "=?utf-8?q?Quayside_Caf=C3=A9?= <quayside.news.example>")
	// Newest first (20, 19, 18 November), each title followed by its URL
	// on a line of its own.
	var at []int
	for _, a := range []int{1, 2, 0} {
		i := strings.Index(pm.Text, "\n"+articles[a].title+"\n"+articles[a].url+"\n")
		if i < 0 {
			t.Errorf("text part lacks %q followed by its URL", articles[a].title)
		}
		if !strings.Contains(pm.HTML, `<a href="`+articles[a].url+`"`) {
			t.Errorf("HTML part lacks a link to %s", articles[a].url)
		}
		at = append(at, i)
	}
	if !(at[0] < at[1] && at[1] < at[2]) {
		t.Errorf("articles at %v in the text part, want newest first", at)
	}
}
