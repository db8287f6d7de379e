package bounces_test

import (
	"context"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

const bounceDomain = "bounces.harbour.test"

// intakeEnv is an Intake on a loopback port over a real database.
type intakeEnv struct {
	db     *sqlite.DB
	store  *events.Store
	verp   *bounces.VERP
	intake *bounces.Intake
	addr   string
}

// newIntake starts an Intake; opt may change it before it serves.
func newIntake(t testing.TB, opt func(*bounces.Intake)) *intakeEnv {
	t.Helper()
	db := sqlitetest.Open(t)
	e := &intakeEnv{db: db, store: events.NewStore(db), verp: bounces.NewVERP([]byte("intake test secret"), bounceDomain)}
	batcher := events.NewBatcher(e.store)
	e.intake = &bounces.Intake{VERP: e.verp, Events: batcher, Unparsed: e.store, Rate: rate.Inf}
	if opt != nil {
		opt(e.intake)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- e.intake.Serve(ln) }()
	t.Cleanup(func() {
		e.intake.Close()
		<-done
		batcher.Close()
	})
	e.exec(t, `INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?)`, sqlite.Now())
	return e
}

func (e *intakeEnv) exec(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	res, err := e.db.Write.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// campaign adds a sent campaign to the list.
func (e *intakeEnv) campaign(t testing.TB) int64 {
	t.Helper()
	now := sqlite.Now()
	id := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hello', 'sent', ?, ?)`, now, now)
	e.exec(t, `INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, 1)`, id)
	return id
}

// reader adds a confirmed reader of the list.
func (e *intakeEnv) reader(t testing.TB, email string) int64 {
	t.Helper()
	now := sqlite.Now()
	id := e.exec(t, `INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
		VALUES (?, lower(?), 'confirmed', ?, ?, ?)`, email, email, now, now, now)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?)`, id, now, now)
	return id
}

// delivered records campaign cid as sent to reader sid and returns the
// VERP address it went out from.
func (e *intakeEnv) delivered(t testing.TB, cid, sid int64) string {
	t.Helper()
	now := sqlite.Now()
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, cid, sid, now, now)
	return e.verp.Address(cid, sid)
}

type readerState struct {
	Status, Subscription string
	Suppressed           bool
}

func (e *intakeEnv) state(t testing.TB, id int64) readerState {
	t.Helper()
	var s readerState
	var email string
	err := e.db.Read.QueryRow(`SELECT s.status, x.status, s.email FROM subscribers s JOIN subscriptions x ON x.subscriber_id = s.id
		WHERE s.id = ?`, id).Scan(&s.Status, &s.Subscription, &email)
	if err != nil {
		t.Fatal(err)
	}
	if s.Suppressed, err = e.store.Suppressed(context.Background(), email); err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *intakeEnv) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// send mails msg to rcpt through the intake as a relay would, with the
// null reverse-path of a bounce, and returns the first error.
func send(t testing.TB, addr, rcpt string, msg []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("relay.harbour.test"); err != nil {
		return err
	}
	if err := c.Mail(""); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// code returns the SMTP reply code of err, 0 for none.
func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// fixture returns testdata/name with its placeholders filled.
func fixture(t testing.TB, name, rcpt, email string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{RCPT}}", rcpt, "{{EMAIL}}", email).Replace(string(raw)))
}

// Only valid VERP addresses of the bounce domain are taken; anything else
// is refused at RCPT with 550, so the intake relays nothing.
func TestIntakeAcceptsOnlyVERP(t *testing.T) {
	e := newIntake(t, nil)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	good := e.delivered(t, cid, sid)
	other := bounces.NewVERP([]byte("another installation"), bounceDomain).Address(cid, sid)
	local, _, _ := strings.Cut(good, "@")
	tampered := local[:len(local)-1] + "a@" + bounceDomain
	if tampered == good {
		tampered = local[:len(local)-1] + "b@" + bounceDomain
	}
	tests := []struct {
		rcpt string
		want int
	}{
		{good, 0},
		{strings.ToUpper(good), 0},
		{"postmaster@" + bounceDomain, 550},
		{"robin@tidewater.test", 550},
		{local + "@elsewhere.test", 550},
		{other, 550},
		{tampered, 550},
	}
	for _, tt := range tests {
		t.Run(tt.rcpt, func(t *testing.T) {
			err := send(t, e.addr, tt.rcpt, fixture(t, "unparsed.eml", tt.rcpt, "robin@tidewater.test"))
			if got := code(err); got != tt.want {
				t.Errorf("send to %s: %v (code %d), want code %d", tt.rcpt, err, got, tt.want)
			}
		})
	}
	if n := e.count(t, "inbound_unparsed"); n != 2 {
		t.Errorf("%d mails kept, want the 2 accepted", n)
	}
}

// A message over MaxBytes is refused with 552 and leaves nothing.
func TestIntakeRefusesOversize(t *testing.T) {
	e := newIntake(t, func(in *bounces.Intake) { in.MaxBytes = 8 << 10 })
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	msg := fixture(t, "dsn-hard.eml", rcpt, "robin@tidewater.test")
	big := append(msg, []byte(strings.Repeat("padding padding padding\r\n", 1000))...)
	if err := send(t, e.addr, rcpt, big); code(err) != 552 {
		t.Fatalf("oversize send: %v, want 552", err)
	}
	if n := e.count(t, "events") + e.count(t, "inbound_unparsed"); n != 0 {
		t.Errorf("%d rows stored from a refused message", n)
	}
	if got := e.state(t, sid); got.Status != "confirmed" {
		t.Errorf("reader %+v after a refused message", got)
	}
	if err := send(t, e.addr, rcpt, msg); err != nil { // the same DSN, in size
		t.Fatalf("send in size: %v", err)
	}
}

// Reports through the intake change their reader: a hard DSN or a
// non-standard hard bounce bounces at once, a complaint unsubscribes,
// and both suppress.
func TestIntakeReports(t *testing.T) {
	tests := []struct {
		file string
		want readerState
	}{
		{"dsn-hard.eml", readerState{"bounced", "active", true}},
		{"ndr-qmail.eml", readerState{"bounced", "active", true}},
		{"ndr-exchange.eml", readerState{"bounced", "active", true}},
		{"ndr-exim.eml", readerState{"bounced", "active", true}},
		{"ndr-yahoo.eml", readerState{"bounced", "active", true}},
		{"ndr-exim-delay.eml", readerState{"confirmed", "active", false}},
		{"arf-abuse.eml", readerState{"unsubscribed", "unsubscribed", true}},
		{"dsn-soft.eml", readerState{"confirmed", "active", false}},
		{"dsn-delayed.eml", readerState{"confirmed", "active", false}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := newIntake(t, nil)
			cid, sid := e.campaign(t), e.reader(t, "Robin@Tidewater.test")
			other := e.reader(t, "kai@tidewater.test")
			e.delivered(t, cid, other)
			rcpt := e.delivered(t, cid, sid)
			if err := send(t, e.addr, rcpt, fixture(t, tt.file, rcpt, "robin@tidewater.test")); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, e.state(t, sid)); diff != "" {
				t.Errorf("reader (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, other)); diff != "" {
				t.Errorf("other reader (-want +got):\n%s", diff)
			}
		})
	}
}

// Three soft bounces on three campaigns make the reader bounced.
func TestIntakeSoftBouncesThrice(t *testing.T) {
	e := newIntake(t, nil)
	sid := e.reader(t, "robin@tidewater.test")
	for i, want := range []string{"confirmed", "confirmed", "bounced"} {
		rcpt := e.delivered(t, e.campaign(t), sid)
		if err := send(t, e.addr, rcpt, fixture(t, "dsn-soft.eml", rcpt, "robin@tidewater.test")); err != nil {
			t.Fatal(err)
		}
		if got := e.state(t, sid); got.Status != want || got.Suppressed != (want == "bounced") {
			t.Fatalf("after soft bounce %d: %+v, want status %s", i+1, got, want)
		}
	}
}

// The same DSN delivered twice (a relay that lost our 250) is one event.
func TestIntakeDuplicateDSN(t *testing.T) {
	e := newIntake(t, nil)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	msg := fixture(t, "dsn-hard.eml", rcpt, "robin@tidewater.test")
	for range 2 {
		if err := send(t, e.addr, rcpt, msg); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(t, "events"); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	var bounces int
	if err := e.db.Read.QueryRow(`SELECT bounce_count FROM subscribers WHERE id = ?`, sid).Scan(&bounces); err != nil {
		t.Fatal(err)
	}
	if bounces != 1 {
		t.Errorf("bounce_count %d, want 1", bounces)
	}
}

// Auto-replies and other mail are no bounce: the reader is left alone,
// and the mail is kept for the admin with the reason.
func TestIntakeAutoReplyIsNoBounce(t *testing.T) {
	e := newIntake(t, nil)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	files := []string{"autoreply-header.eml", "autoreply-subject.eml", "autoreply-xautoreply.eml", "unparsed.eml", "arf-notspam.eml"}
	for _, f := range files {
		if err := send(t, e.addr, rcpt, fixture(t, f, rcpt, "robin@tidewater.test")); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, sid)); diff != "" {
		t.Errorf("reader (-want +got):\n%s", diff)
	}
	if n := e.count(t, "events"); n != 0 {
		t.Errorf("%d events from auto-replies", n)
	}
	kept, err := e.store.UnparsedMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, u := range kept {
		reasons = append(reasons, u.Reason)
		if u.Rcpt != rcpt || u.Head == "" {
			t.Errorf("kept mail %+v: want rcpt %s and its head", u, rcpt)
		}
	}
	want := []string{"a feedback report of type not-spam, not a complaint", "neither a bounce nor a complaint Bulletin can read",
		"auto-reply (X-Autoreply)", "auto-reply (subject)", "auto-reply (Auto-Submitted: auto-replied)"}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("kept reasons, newest first (-want +got):\n%s", diff)
	}
}

// A peer past its rate gets 451 at MAIL and may come back.
func TestIntakeRateLimitsPeer(t *testing.T) {
	e := newIntake(t, func(in *bounces.Intake) { in.Rate, in.Burst = rate.Limit(0.001), 2 })
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	msg := fixture(t, "unparsed.eml", rcpt, "robin@tidewater.test")
	for i, want := range []int{0, 0, 451} {
		if err := send(t, e.addr, rcpt, msg); code(err) != want {
			t.Errorf("message %d: %v, want code %d", i+1, err, want)
		}
	}
}

// A bounce of a confirmation names its reader without a campaign: it
// bounces the reader, once however often it comes. One of a test send
// names no reader and is only kept.
func TestIntakeBouncesOutsideCampaigns(t *testing.T) {
	e := newIntake(t, nil)
	sid := e.reader(t, "robin@tidewater.test")
	e.exec(t, `UPDATE subscribers SET status = 'pending' WHERE id = ?`, sid)
	rcpt := e.verp.AddressOf(bounces.Delivery{Kind: bounces.KindConfirm, SubscriberID: sid})
	msg := fixture(t, "dsn-hard.eml", rcpt, "robin@tidewater.test")
	for range 2 {
		if err := send(t, e.addr, rcpt, msg); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.state(t, sid); got.Status != "bounced" || !got.Suppressed {
		t.Errorf("reader after a bounced confirmation: %+v", got)
	}
	if n := e.count(t, "events"); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	test := e.verp.AddressOf(bounces.Delivery{Kind: bounces.KindTest, CampaignID: e.campaign(t)})
	if err := send(t, e.addr, test, fixture(t, "dsn-hard.eml", test, "editor@harbour.test")); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "events"); n != 1 {
		t.Errorf("%d events after a test send's bounce, want still 1", n)
	}
	if n := e.count(t, "inbound_unparsed"); n != 1 {
		t.Errorf("%d mails kept, want the test send's bounce", n)
	}
}
