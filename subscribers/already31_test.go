package subscribers

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

// smtpEnv is a signupEnv whose confirmations go over SMTP, on loopback,
// to a real server, as serve sends them.
type smtpEnv struct {
	*signupEnv
	srv  *smtptest.Server
	seen int // messages already read from srv
}

func newSMTPEnv(t *testing.T) *smtpEnv {
	t.Helper()
	e := &smtpEnv{signupEnv: newSignupEnv(t), srv: smtptest.Start(t)}
	e.c.Transport = mailtest.SMTPTo(t, e.srv.URL())
	return e
}

// newMail returns the messages the server accepted since the last call.
func (e *smtpEnv) newMail() []smtptest.Message {
	all := e.srv.Messages()
	got := all[e.seen:]
	e.seen = len(all)
	return got
}

// confirmedReader stores addr as a confirmed reader of lists, as an editor
// adds one with their consent (no mail), and returns their id.
func (e *smtpEnv) confirmedReader(addr string, lists ...string) int64 {
	e.t.Helper()
	sub, err := e.store.Create(context.Background(), &NewSubscriber{Email: addr, Name: "Kit", Status: StatusConfirmed, Lists: lists,
		Attributes: map[string]any{"plan": "gold"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return sub.ID
}

// alreadyLinks are the preferences and unsubscribe links of a mail's text.
var alreadyLinks = regexp.MustCompile(`https://news\.example/(preferences|unsubscribe)/([A-Za-z0-9_-]+)`)

// checkAlreadyMail reads msg, which must be the already-subscribed mail
// to reader id at addr naming lists, and checks its envelope, headers,
// parts and links: each link is signed for its purpose and the reader,
// checked by the Signer's Verify that the web handlers call.
func checkAlreadyMail(t *testing.T, e *smtpEnv, msg smtptest.Message, id int64, addr string, lists string) {
	t.Helper()
	if len(msg.To) != 1 || msg.To[0] != addr || msg.From != "news@news.example" {
		t.Errorf("envelope %s → %v, want news@news.example → %s", msg.From, msg.To, addr)
	}
	pm := mailtest.Parse(t, msg.Data)
	mailtest.CheckHeaders(t, msg.Data, pm, &mail.Address{Name: "Gazette", Address: "news@news.example"},
		&mail.Address{Address: addr}, "Your subscription to Gazette")
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"} {
		if v, ok := pm.Header[h]; ok {
			t.Errorf("%s = %q in a transactional mail, want none", h, v)
		}
	}
	for _, want := range []string{"You are already subscribed to Gazette (" + lists + ") at this address:\n" + addr + "\n",
		"Change your lists or details:\n  https://news.example/preferences/", "Unsubscribe from everything:\n  https://news.example/unsubscribe/"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, pm.Text)
		}
	}
	if !strings.Contains(pm.HTML, "You are already subscribed to Gazette ("+lists+") at "+addr) {
		t.Errorf("HTML part does not name the lists and the address:\n%s", pm.HTML)
	}
	// It greets the reader by their own name (confirmedReader's), never
	// by one typed in a signup.
	if strings.Contains(pm.Text+pm.HTML, "/confirm/") || strings.Contains(pm.Text+pm.HTML, "Mallory") || !strings.HasPrefix(pm.Text, "Hello Kit,\n") {
		t.Errorf("the mail has a confirmation link, or greets by another name than the reader's:\n%s", pm.Text)
	}
	found := map[string]bool{}
	for _, m := range alreadyLinks.FindAllStringSubmatch(pm.Text, -1) {
		purpose := map[string]string{"preferences": TokenPreferences, "unsubscribe": TokenUnsubscribe}[m[1]]
		got, err := e.c.Signer.Verify(purpose, m[2])
		if err != nil || got != id {
			t.Errorf("%s link verifies as reader %d, %v; want %d", m[1], got, err, id)
		}
		if n := strings.Count(pm.HTML, `href="`+m[0]+`"`); n < 2 {
			t.Errorf("HTML part links %d times to %s, want the body and the footer", n, m[0])
		}
		found[m[1]] = true
	}
	if !found["preferences"] || !found["unsubscribe"] {
		t.Errorf("links in the text part: %v, want preferences and unsubscribe", found)
	}
}

// A confirmed reader who signs up again for lists they are on gets one
// mail with their preferences and unsubscribe links, over SMTP; the
// signup changes nothing about them. Another signup within
// ConfirmInterval sends nothing more, the reconciler neither; once the
// interval is over, one more goes. The row's flag is cleared and the
// request that marked the mail is gone once it went.
func TestAlready31ConfirmedReaderSigningUpAgainGetsTheirLinks(t *testing.T) {
	e := newSMTPEnv(t)
	addr := "kit@example.com"
	id := e.confirmedReader(addr, "news", "sport")
	before := readRow(t, e.store, id)

	e.signup(&Signup{Email: "KIT@example.com", Name: "Mallory", Lists: []string{"sport"}, Attributes: map[string]any{"plan": "free", "x": "y"}})
	msgs := e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages after the signup, want the one already-subscribed mail", len(msgs))
	}
	checkAlreadyMail(t, e, msgs[0], id, addr, "News, Sport")
	if diff := cmp.Diff(before, readRow(t, e.store, id)); diff != "" {
		t.Errorf("the signup changed the reader (-before +after):\n%s", diff)
	}
	checkFlagCleared(t, e.store, id)

	for range 2 {
		e.signup(&Signup{Email: addr, Lists: []string{"news"}})
		e.reconcile()
	}
	if msgs := e.newMail(); len(msgs) != 0 {
		t.Fatalf("%d more messages within ConfirmInterval, want none", len(msgs))
	}

	e.ageMail(id)
	e.signup(&Signup{Email: addr, Lists: []string{"news", "sport"}})
	e.reconcile()
	msgs = e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages once the interval was over, want one", len(msgs))
	}
	checkAlreadyMail(t, e, msgs[0], id, addr, "News, Sport")
	if diff := cmp.Diff(before, readRow(t, e.store, id)); diff != "" {
		t.Errorf("the signups changed the reader (-before +after):\n%s", diff)
	}
	checkFlagCleared(t, e.store, id)
}

// checkFlagCleared fails t unless reader id's row is no longer flagged and
// has no request left.
func checkFlagCleared(t *testing.T, s *Store, id int64) {
	t.Helper()
	var queued, requests int
	if err := s.db.Read.QueryRow(`SELECT confirm_queued, (SELECT COUNT(*) FROM signup_requests WHERE subscriber_id = ?)
		FROM subscribers WHERE id = ?`, id, id).Scan(&queued, &requests); err != nil {
		t.Fatal(err)
	}
	if queued != 0 || requests != 0 {
		t.Errorf("after the mail: confirm_queued %d and %d requests, want 0 and 0", queued, requests)
	}
}

// The mail goes exactly once: its task run twice sends it once, and when
// the task is lost the reconciler sends it, once, however often it runs.
func TestAlready31MailGoesExactlyOnce(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()
	addr := "once@example.com"
	id := e.confirmedReader(addr, "news")

	signups := NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: addr, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	tasks := e.q.tasks
	e.q.tasks = nil
	if len(tasks) != 1 {
		t.Fatalf("%d tasks queued, want one", len(tasks))
	}
	for range 2 {
		if err := e.c.ProcessTask(ctx, tasks[0]); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.srv.Count(addr); got != 1 {
		t.Fatalf("%d mails from the task run twice, want 1", got)
	}

	// The next signup's task is lost: the reconciler finds the flagged
	// row once it is older than reconcileAge.
	e.ageMail(id)
	signups = NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: addr, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	e.q.tasks = nil // lost
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`,
		time.Now().UTC().Add(-reconcileAge-time.Minute), id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE signup_requests SET requested_at = (SELECT confirm_sent_at FROM subscribers WHERE id = ?)
		WHERE subscriber_id = ?`, id, id); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.reconcile()
	}
	if got := e.srv.Count(addr); got != 2 {
		t.Fatalf("%d mails in all after the lost task, want 2", got)
	}
	msgs := e.srv.Messages()
	checkAlreadyMail(t, e, msgs[len(msgs)-1], id, addr, "News")
	checkFlagCleared(t, e.store, id)
}

// What each other known address gets for the same signup is unchanged: a
// pending reader a confirmation (nothing else goes to an address before
// its owner confirms), a confirmed reader asking for a new list the mail
// asking to confirm it, a bounced reader and a suppressed address
// nothing at all.
func TestAlready31OtherReadersGetWhatTheyGotBefore(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()

	// Pending: signed up, mail lost; again once the interval is over.
	e.signup(&Signup{Email: "pat@example.com", Lists: []string{"news"}})
	var pat int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = 'pat@example.com'`).Scan(&pat); err != nil {
		t.Fatal(err)
	}
	e.newMail()
	e.ageMail(pat)
	e.signup(&Signup{Email: "pat@example.com", Lists: []string{"news"}})
	msgs := e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("pending reader: %d messages, want one confirmation", len(msgs))
	}
	pm := mailtest.Parse(t, msgs[0].Data)
	if pm.Header.Get("Subject") != "Confirm your subscription to Gazette" || !confirmPath.MatchString(pm.Text) ||
		strings.Contains(pm.Text, "/preferences/") || strings.Contains(pm.Text, "/unsubscribe/") {
		t.Errorf("pending reader got %q, want the confirmation and no other link:\n%s", pm.Header.Get("Subject"), pm.Text)
	}

	// Confirmed, asking for a list they are not on (with one they are).
	ann := e.confirmedReader("ann@example.com", "news")
	e.signup(&Signup{Email: "ann@example.com", Lists: []string{"news", "sport"}})
	msgs = e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("confirmed reader asking for a new list: %d messages, want one", len(msgs))
	}
	pm = mailtest.Parse(t, msgs[0].Data)
	m := confirmPath.FindStringSubmatch(pm.Text)
	if pm.Header.Get("Subject") != "Confirm your subscription to Gazette" || m == nil || !strings.Contains(pm.Text, "(Sport)") {
		t.Fatalf("confirmed reader asking for a new list got %q:\n%s", pm.Header.Get("Subject"), pm.Text)
	}
	if _, err := e.click(m[1]); err != nil {
		t.Fatal(err)
	}
	if got := readRow(t, e.store, ann).Subscriptions; got != "news:active sport:active" {
		t.Errorf("after the click: %s", got)
	}

	// Bounced, and suppressed (a confirmed reader whose address was
	// suppressed since): nothing, now or from the reconciler later.
	bounced, err := e.store.Create(ctx, &NewSubscriber{Email: "gone@example.com", Status: StatusBounced, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	sup := e.confirmedReader("robin@tidewater.test", "news")
	if err := events.NewStore(e.store.db).Suppress(ctx, "robin@tidewater.test", events.ReasonComplaint, "arf"); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"gone@example.com", "robin@tidewater.test"} {
		e.signup(&Signup{Email: addr, Lists: []string{"news"}})
	}
	for _, id := range []int64{bounced.ID, sup} {
		if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ? AND confirm_sent_at IS NOT NULL`,
			time.Now().UTC().Add(-time.Hour), id); err != nil {
			t.Fatal(err)
		}
	}
	e.reconcile()
	if msgs := e.newMail(); len(msgs) != 0 {
		t.Errorf("%d messages to a bounced or suppressed address (first to %v), want none", len(msgs), msgs[0].To)
	}
}

// A flag left on a reader confirmed since it was set (an editor confirmed
// a pending reader before the mail went) sends nothing: not the
// confirmation, which is no longer wanted, nor the already-subscribed
// mail, which only a signup asks for; not from the reconciler either.
func TestAlready31StaleFlagOfConfirmedReaderSendsNothing(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()
	signups := NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: "lee@example.com", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	var id int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = 'lee@example.com'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	confirmed := StatusConfirmed
	if _, err := e.store.Update(ctx, id, &Patch{Status: &confirmed}); err != nil {
		t.Fatal(err)
	}
	e.sendQueued()
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, time.Now().UTC().Add(-time.Hour), id); err != nil {
		t.Fatal(err)
	}
	e.reconcile()
	if msgs := e.newMail(); len(msgs) != 0 {
		t.Errorf("%d messages to a reader an editor confirmed, want none", len(msgs))
	}
}

// A signup for a new list that comes while the already-subscribed mail
// waits to be composed turns it into the confirmation of that list. A
// reader with a request waiting for its click who signs up for lists they
// are on gets that confirmation again, with a new link in place of the
// last one. A signup for a new list after the already-subscribed mail
// went, within the interval, waits, and the reconciler mails its
// confirmation once the interval is over. No mail goes twice within the
// interval.
func TestAlready31NewListSignupMeanwhileIsConfirmed(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &List{Slug: "arts", Name: "Arts", Public: true}); err != nil {
		t.Fatal(err)
	}
	addr := "mo@example.com"
	id := e.confirmedReader(addr, "news")
	subject := func(msgs []smtptest.Message) (string, *mailtest.Mail) {
		t.Helper()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want one", len(msgs))
		}
		pm := mailtest.Parse(t, msgs[0].Data)
		return pm.Header.Get("Subject"), pm
	}
	e.signups(&Signup{Email: addr, Lists: []string{"news"}})
	e.signups(&Signup{Email: addr, Lists: []string{"sport"}})
	e.sendQueued()
	if s, pm := subject(e.newMail()); s != "Confirm your subscription to Gazette" || !strings.Contains(pm.Text, "(Sport)") {
		t.Fatalf("got %q, want the confirmation of Sport:\n%s", s, pm.Text)
	}

	e.ageMail(id)
	e.signup(&Signup{Email: addr, Lists: []string{"news"}})
	s, pm := subject(e.newMail())
	m := confirmPath.FindStringSubmatch(pm.Text)
	if s != "Confirm your subscription to Gazette" || !strings.Contains(pm.Text, "(Sport)") || m == nil {
		t.Fatalf("with a request waiting: got %q, want its confirmation again:\n%s", s, pm.Text)
	}
	if _, err := e.click(m[1]); err != nil {
		t.Fatal(err)
	}

	e.ageMail(id)
	e.signup(&Signup{Email: addr, Lists: []string{"news"}})
	if s, _ := subject(e.newMail()); s != "Your subscription to Gazette" {
		t.Fatalf("got %q, want the already-subscribed mail", s)
	}
	e.signup(&Signup{Email: addr, Lists: []string{"arts"}})
	e.reconcile()
	if msgs := e.newMail(); len(msgs) != 0 {
		t.Fatalf("%d messages within the interval, want none", len(msgs))
	}
	e.ageMail(id)
	e.reconcile()
	if s, pm := subject(e.newMail()); s != "Confirm your subscription to Gazette" || !strings.Contains(pm.Text, "(Arts)") {
		t.Errorf("after the interval: got %q, want the confirmation of Arts:\n%s", s, pm.Text)
	}
}

// A reader who left every list since the signup (status confirmed, no
// list active) gets a mail that says so, with the same links.
func TestAlready31ReaderOnNoListAnyMore(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()
	addr := "nell@example.com"
	id := e.confirmedReader(addr, "news")
	signups := NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: addr, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	if _, err := e.store.db.Write.Exec(`UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	e.sendQueued()
	msgs := e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want one", len(msgs))
	}
	pm := mailtest.Parse(t, msgs[0].Data)
	if !strings.Contains(pm.Text, "This address is already known to Gazette, though it is on no list at the\nmoment:\n"+addr+"\n") ||
		!strings.Contains(pm.Text, "/preferences/") || !strings.Contains(pm.Text, "/unsubscribe/") {
		t.Errorf("text part:\n%s", pm.Text)
	}
}

// TestAlready31GoldenMail renders the already-subscribed mail through the
// Confirmer's task, as the worker sends it, and compares it with
// testdata/already31.golden (go test -run Golden -update rewrites it).
// Its links never expire, so hold no time: only the Date, the
// Message-ID and the boundary are normalised.
func TestAlready31GoldenMail(t *testing.T) {
	ctx := context.Background()
	store := NewStore(sqlitetest.Open(t))
	store.SetSecret([]byte("golden-secret-0123456789abcdef!!"))
	for _, l := range []*List{{Slug: "harbour", Name: "Harbour Notes", Public: true}, {Slug: "quayside", Name: "Quayside Café", Public: true}} {
		if err := store.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	reader := &mail.Address{Name: "Zoë O'Hara", Address: "zoe@example.org"}
	sub, err := store.Create(ctx, &NewSubscriber{Email: reader.Address, Name: reader.Name, Status: StatusConfirmed, Lists: []string{"harbour", "quayside"}})
	if err != nil {
		t.Fatal(err)
	}
	q := &taskQueue{}
	signups := NewSignups(store, q, nil)
	err = signups.Signup(ctx, &Signup{Email: reader.Address, Lists: []string{"quayside"}})
	signups.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(q.tasks) != 1 {
		t.Fatalf("%d tasks enqueued, want one", len(q.tasks))
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	signer := NewSigner([]byte("golden-secret-0123456789abcdef!!"))
	from := &mail.Address{Name: "Harbour Gazette", Address: "news@news.example"}
	box := mailbox{}
	c := &Confirmer{Store: store, Signer: signer, Templates: tmpl, Transport: box, From: from, BaseURL: "https://news.example"}
	if err := c.ProcessTask(ctx, q.tasks[0]); err != nil {
		t.Fatal(err)
	}
	if len(box) != 1 || box[reader.Address] == nil {
		t.Fatalf("mailed %d readers, want %s only", len(box), reader.Address)
	}
	golden := mailtest.Golden(t, "already31", mailtest.Normalize(t, box[reader.Address]), *update)
	pm := mailtest.Parse(t, golden)
	mailtest.CheckHeaders(t, golden, pm, from, &mail.Address{Address: reader.Address}, "Your subscription to Harbour Gazette")
	for _, purpose := range []string{TokenPreferences, TokenUnsubscribe} {
		link := "https://news.example/" + purpose + "/" + signer.Sign(purpose, sub.ID, 0)
		if !strings.Contains(pm.Text, "\n  "+link+"\n") {
			t.Errorf("text part lacks %s on a line of its own", link)
		}
	}
	if !strings.Contains(pm.Text, "You are already subscribed to Harbour Gazette (Harbour Notes,\nQuayside Café) at this address:\nzoe@example.org\n") {
		t.Errorf("text part does not name the lists:\n%s", pm.Text)
	}
}

// The signup and its already-subscribed mail change nothing about the
// reader, so no webhook event tells of them; and the request that marks
// the mail asks for nothing, so confirming the reader meanwhile (an old
// link's click) applies nothing and emits nothing either.
func TestAlready31EmitsNoEvent(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.store.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	addr := "vic@example.com"
	id := e.confirmedReader(addr, "news")
	count := func() int {
		t.Helper()
		var n int
		if err := e.store.db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, row := count(), readRow(t, e.store, id)
	e.signups(&Signup{Email: addr, Name: "Vic", Lists: []string{"news"}})
	if _, err := e.store.Confirm(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.sendQueued()
	if got := e.srv.Count(addr); got != 1 {
		t.Errorf("%d mails, want the already-subscribed one", got)
	}
	if diff := cmp.Diff(row, readRow(t, e.store, id)); diff != "" || count() != before {
		t.Errorf("%d webhook events, was %d; reader (-before +after):\n%s", count(), before, diff)
	}
}

// signups runs in without sending its mail.
func (e *smtpEnv) signups(in *Signup) {
	e.t.Helper()
	signups := NewSignups(e.store, e.q, nil)
	err := signups.Signup(context.Background(), in)
	signups.Close()
	if err != nil {
		e.t.Fatal(err)
	}
}
