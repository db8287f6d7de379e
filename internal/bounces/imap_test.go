package bounces_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/logtest"
)

const (
	imapUser = "bounces@harbour.test"
	imapPass = "s3cret-Pass"
)

// imapEnv is an in-process IMAP server on loopback, a Mailbox polling its
// INBOX, and a real database under them.
type imapEnv struct {
	*intakeEnv
	user *imapmemserver.User
	mbox *bounces.Mailbox
	logs *logtest.Buffer
	// failMoves and failStores make that many MOVE (or COPY) and STORE
	// commands fail, as a server or connection that breaks would.
	failMoves, failStores atomic.Int32
}

// newIMAP starts the server with caps (nil: IMAP4rev2, with MOVE) and a
// Mailbox on it logging in with password.
func newIMAP(t *testing.T, caps imap.CapSet, password string) *imapEnv {
	t.Helper()
	e := &imapEnv{intakeEnv: newIntake(t, nil), logs: &logtest.Buffer{}}
	mem := imapmemserver.New()
	e.user = imapmemserver.NewUser(imapUser, imapPass)
	if err := e.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(e.user)
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			var sess imapserver.Session = &flakySession{Session: mem.NewSession(), env: e}
			if !caps.Has(imap.CapMove) {
				sess = noMoveSession{sess}
			}
			return sess, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	u, err := bounces.ParseMailboxURL("imap://" + strings.ReplaceAll(imapUser, "@", "%40") + ":" + password + "@" + ln.Addr().String() + "/INBOX")
	if err != nil {
		t.Fatal(err)
	}
	e.mbox = &bounces.Mailbox{URL: u, VERP: e.verp, Events: events.NewBatcher(e.store), Unparsed: e.store,
		Log: slog.New(slog.NewTextHandler(e.logs, nil))}
	t.Cleanup(func() { e.mbox.Events.(*events.Batcher).Close() })
	return e
}

// flakySession is the memory server's session, failing on demand.
type flakySession struct {
	imapserver.Session
	env *imapEnv
}

var errBroken = errors.New("simulated failure")

// noMoveSession is a session of a server without MOVE.
type noMoveSession struct{ imapserver.Session }

func (s *flakySession) Namespace() (*imap.NamespaceData, error) {
	return s.Session.(imapserver.SessionNamespace).Namespace()
}

func (s *flakySession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if s.env.failMoves.Add(-1) >= 0 {
		return errBroken
	}
	return s.Session.(imapserver.SessionMove).Move(w, numSet, dest)
}

func (s *flakySession) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	if s.env.failMoves.Add(-1) >= 0 {
		return nil, errBroken
	}
	return s.Session.Copy(numSet, dest)
}

func (s *flakySession) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	if flags.Flags[0] != imap.FlagDeleted && s.env.failStores.Add(-1) >= 0 {
		return errBroken
	}
	return s.Session.Store(w, numSet, flags, options)
}

// deliver appends msg to the folder, as the MX would.
func (e *imapEnv) deliver(t *testing.T, folder string, msg []byte) {
	t.Helper()
	if _, err := e.user.Append(folder, bytes.NewReader(msg), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// messages is how many messages the folder holds, -1 when there is none.
func (e *imapEnv) messages(t *testing.T, folder string) int {
	t.Helper()
	st, err := e.user.Status(folder, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return -1
	}
	return int(*st.NumMessages)
}

func (e *imapEnv) poll(t *testing.T) bounces.PollStats {
	t.Helper()
	st, err := e.mbox.Poll(context.Background())
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	return st
}

// A hard DSN and an ARF complaint become a bounced and an unsubscribed
// reader, an auto-reply goes to the inspection list, and all three are
// moved to INBOX/Processed; a second poll finds nothing. With and
// without MOVE (COPY, \Deleted, EXPUNGE).
func TestMailboxPoll(t *testing.T) {
	for name, caps := range map[string]imap.CapSet{
		"move":    nil,
		"no move": {imap.CapIMAP4rev1: {}},
	} {
		t.Run(name, func(t *testing.T) {
			e := newIMAP(t, caps, imapPass)
			cid := e.campaign(t)
			robin, kai, ada := e.reader(t, "robin@tidewater.test"), e.reader(t, "kai@tidewater.test"), e.reader(t, "ada@tidewater.test")
			rr, rk, ra := e.delivered(t, cid, robin), e.delivered(t, cid, kai), e.delivered(t, cid, ada)
			e.deliver(t, "INBOX", fixture(t, "dsn-hard.eml", rr, "robin@tidewater.test"))
			e.deliver(t, "INBOX", fixture(t, "arf-abuse.eml", rk, "kai@tidewater.test"))
			e.deliver(t, "INBOX", fixture(t, "autoreply-header.eml", ra, "ada@tidewater.test"))

			if diff := cmp.Diff(bounces.PollStats{Seen: 3, Events: 2, Kept: 1, Moved: 3}, e.poll(t)); diff != "" {
				t.Errorf("first poll (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(readerState{"bounced", "active", true}, e.state(t, robin)); diff != "" {
				t.Errorf("robin (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(readerState{"unsubscribed", "unsubscribed", true}, e.state(t, kai)); diff != "" {
				t.Errorf("kai (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, ada)); diff != "" {
				t.Errorf("ada (-want +got):\n%s", diff)
			}
			var sources []string
			rows, err := e.db.Read.Query(`SELECT kind || ' ' || source FROM events ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				sources = append(sources, s)
			}
			rows.Close()
			if diff := cmp.Diff([]string{"bounce_hard imap", "complaint imap"}, sources); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			kept, err := e.store.UnparsedMail(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(kept) != 1 || kept[0].Reason != "auto-reply (Auto-Submitted: auto-replied)" || kept[0].Rcpt != ra {
				t.Errorf("inspection list %+v, want the auto-reply to %s", kept, ra)
			}
			if in, done := e.messages(t, "INBOX"), e.messages(t, "INBOX/Processed"); in != 0 || done != 3 {
				t.Errorf("INBOX %d, INBOX/Processed %d messages; want 0 and 3", in, done)
			}

			if diff := cmp.Diff(bounces.PollStats{}, e.poll(t)); diff != "" {
				t.Errorf("second poll (-want +got):\n%s", diff)
			}
			// The same DSN mailed again (a relay retrying) is one event.
			e.deliver(t, "INBOX", fixture(t, "dsn-hard.eml", rr, "robin@tidewater.test"))
			if diff := cmp.Diff(bounces.PollStats{Seen: 1, Events: 1, Moved: 1}, e.poll(t)); diff != "" {
				t.Errorf("poll of a repeated DSN (-want +got):\n%s", diff)
			}
			if n := e.count(t, "events"); n != 2 {
				t.Errorf("%d events, want 2", n)
			}
			if n := e.count(t, "inbound_unparsed"); n != 1 {
				t.Errorf("%d kept mails, want 1", n)
			}
		})
	}
}

// A process that dies after recording and before moving (here: the move
// and the flagging fail once) leaves the message in INBOX; the next poll
// records it again, which stores nothing new, and moves it.
func TestMailboxRecordsOnceWhenMoveFails(t *testing.T) {
	e := newIMAP(t, nil, imapPass)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	e.deliver(t, "INBOX", fixture(t, "dsn-hard.eml", rcpt, "robin@tidewater.test"))
	e.failMoves.Store(1)
	e.failStores.Store(1)
	if diff := cmp.Diff(bounces.PollStats{Seen: 1, Events: 1}, e.poll(t)); diff != "" {
		t.Errorf("first poll (-want +got):\n%s", diff)
	}
	if in := e.messages(t, "INBOX"); in != 1 {
		t.Fatalf("INBOX has %d messages after a failed move, want 1", in)
	}
	if diff := cmp.Diff(bounces.PollStats{Seen: 1, Events: 1, Moved: 1}, e.poll(t)); diff != "" {
		t.Errorf("second poll (-want +got):\n%s", diff)
	}
	if n := e.count(t, "events"); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	var bounced int
	if err := e.db.Read.QueryRow(`SELECT bounce_count FROM subscribers WHERE id = ?`, sid).Scan(&bounced); err != nil {
		t.Fatal(err)
	}
	if bounced != 1 {
		t.Errorf("bounce_count %d, want 1", bounced)
	}
	if in, done := e.messages(t, "INBOX"), e.messages(t, "INBOX/Processed"); in != 0 || done != 1 {
		t.Errorf("INBOX %d, INBOX/Processed %d messages; want 0 and 1", in, done)
	}
}

// When messages cannot be moved at all, they are flagged \Seen and
// $BulletinDone, and never read again: an auto-reply is kept once.
func TestMailboxFlagsWhenMoveFails(t *testing.T) {
	e := newIMAP(t, nil, imapPass)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	e.deliver(t, "INBOX", fixture(t, "autoreply-subject.eml", rcpt, "robin@tidewater.test"))
	e.failMoves.Store(1 << 20)
	e.poll(t)
	if diff := cmp.Diff(bounces.PollStats{Skipped: 1}, e.poll(t)); diff != "" {
		t.Errorf("second poll (-want +got):\n%s", diff)
	}
	if n := e.count(t, "inbound_unparsed"); n != 1 {
		t.Errorf("%d kept mails, want 1", n)
	}
	if in := e.messages(t, "INBOX"); in != 1 {
		t.Errorf("INBOX has %d messages, want the flagged one", in)
	}
	st, err := e.user.Status("INBOX", &imap.StatusOptions{NumUnseen: true})
	if err != nil || *st.NumUnseen != 0 {
		t.Errorf("unseen %v (%v), want 0", st, err)
	}
}

// A message over the size limit is moved unread and logged.
func TestMailboxMovesOversizeUnread(t *testing.T) {
	e := newIMAP(t, nil, imapPass)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	msg := fixture(t, "dsn-hard.eml", rcpt, "robin@tidewater.test")
	e.mbox.MaxBytes = int64(len(msg) - 1)
	e.deliver(t, "INBOX", msg)
	if diff := cmp.Diff(bounces.PollStats{Seen: 1, TooLarge: 1, Moved: 1}, e.poll(t)); diff != "" {
		t.Errorf("poll (-want +got):\n%s", diff)
	}
	if n := e.count(t, "events"); n != 0 {
		t.Errorf("%d events from an oversize message", n)
	}
	if s := e.logs.String(); !strings.Contains(s, "too large") {
		t.Errorf("log does not tell of the oversize message:\n%s", s)
	}
}

// A wrong password is a clear error in the log, with no password, and
// the next poll is tried again.
func TestMailboxWrongPassword(t *testing.T) {
	e := newIMAP(t, nil, "wrong-Pass")
	e.deliver(t, "INBOX", fixture(t, "dsn-hard.eml", "x@y.test", "robin@tidewater.test"))
	_, err := e.mbox.Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "log in") {
		t.Fatalf("poll err = %v, want a login failure", err)
	}
	e.mbox.Tick(context.Background())
	logs := e.logs.String()
	t.Log(logs)
	if !strings.Contains(logs, "BULLETIN_BOUNCE_MAILBOX") || !strings.Contains(logs, "log in") {
		t.Errorf("log does not say what failed:\n%s", logs)
	}
	for _, secret := range []string{"wrong-Pass", imapUser, "bounces%40"} {
		if strings.Contains(logs, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%q in the log or error:\n%s\n%v", secret, logs, err)
		}
	}
	if in := e.messages(t, "INBOX"); in != 1 {
		t.Errorf("INBOX has %d messages, want 1 untouched", in)
	}
}

// Mailbox URLs: what is accepted, and errors that say what to fix
// without repeating the password.
func TestParseMailboxURL(t *testing.T) {
	good := []struct {
		in   string
		want bounces.MailboxURL
	}{
		{"imaps://u%40x.test:p%2Fw@mail.x.test/INBOX", bounces.MailboxURL{TLS: true, Addr: "mail.x.test:993", User: "u@x.test", Password: "p/w", Folder: "INBOX"}},
		{"imaps://u:p@mail.x.test:1993/Bounces/DSN", bounces.MailboxURL{TLS: true, Addr: "mail.x.test:1993", User: "u", Password: "p", Folder: "Bounces/DSN"}},
		{"imap://u:p@mail.x.test", bounces.MailboxURL{Addr: "mail.x.test:143", User: "u", Password: "p", Folder: "INBOX"}},
		{"imap://u:p@[::1]:1143/INBOX", bounces.MailboxURL{Addr: "[::1]:1143", User: "u", Password: "p", Folder: "INBOX"}},
	}
	for _, tt := range good {
		got, err := bounces.ParseMailboxURL(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
	bad := []struct{ in, want string }{
		{"pop3://u:hunter2@x.test/INBOX", "use imaps://"},
		{"imaps://x.test/INBOX", "user name and password"},
		{"imaps://u@x.test/INBOX", "user name and password"},
		{"imaps://u:hunter2@/INBOX", "host"},
		{"imaps://u:hunter2@x.test:99999/INBOX", "port"},
		{"imaps://u:hunter2@x.test/INBOX?x=1", "no query"},
		{"imaps://u:hun ter2@x.test/INBOX", "not a URL"},
		{"x.test", "use imaps://"},
	}
	for _, tt := range bad {
		_, err := bounces.ParseMailboxURL(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want it to contain %q", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the password: %v", tt.in, err)
		}
	}
	u, _ := bounces.ParseMailboxURL("imaps://u:hunter2@mail.x.test/INBOX")
	if got := u.String(); got != "imaps://mail.x.test:993/INBOX" {
		t.Errorf("String() = %q", got)
	}
}

// imaps:// is TLS from the start, and the server's certificate is checked.
func TestMailboxIMAPS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPass)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(tls.NewListener(ln, serverTLS))
	t.Cleanup(func() { srv.Close() })
	u, err := bounces.ParseMailboxURL("imaps://bounces%40harbour.test:" + imapPass + "@" + ln.Addr().String() + "/INBOX")
	if err != nil {
		t.Fatal(err)
	}
	e := newIntake(t, nil)
	if _, err := user.Append("INBOX", bytes.NewReader(fixture(t, "unparsed.eml", "x@y.test", "robin@tidewater.test")), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	mbox := &bounces.Mailbox{URL: u, VERP: e.verp, Events: events.NewBatcher(e.store), Unparsed: e.store, TLSConfig: clientTLS}
	defer mbox.Events.(*events.Batcher).Close()
	st, err := mbox.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bounces.PollStats{Seen: 1, Kept: 1, Moved: 1}, st); diff != "" {
		t.Errorf("poll (-want +got):\n%s", diff)
	}
	mbox.TLSConfig = nil // the system's roots do not know the certificate
	if _, err := mbox.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("poll with an untrusted certificate: %v, want a TLS error", err)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and the configurations
// that present and trust it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// Only a VERP address of this installation names a reader: a complaint
// sent to the feedback-loop address is read by the VERP address in its
// report, and a DSN naming none (forged, or about other mail) changes no
// reader and is kept for the admin.
func TestMailboxTrustsOnlyVERP(t *testing.T) {
	e := newIMAP(t, nil, imapPass)
	cid := e.campaign(t)
	robin, kai := e.reader(t, "robin@tidewater.test"), e.reader(t, "kai@tidewater.test")
	e.delivered(t, cid, robin)
	rk := e.delivered(t, cid, kai)
	fbl := strings.Replace(string(fixture(t, "arf-abuse.eml", rk, "kai@tidewater.test")), "To: "+rk, "To: fbl@harbour.test", 1)
	e.deliver(t, "INBOX", []byte(fbl))
	e.deliver(t, "INBOX", fixture(t, "dsn-hard.eml", "postmaster@harbour.test", "robin@tidewater.test"))
	if diff := cmp.Diff(bounces.PollStats{Seen: 2, Events: 1, Kept: 1, Moved: 2}, e.poll(t)); diff != "" {
		t.Errorf("poll (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(readerState{"unsubscribed", "unsubscribed", true}, e.state(t, kai)); diff != "" {
		t.Errorf("kai (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, robin)); diff != "" {
		t.Errorf("robin (-want +got):\n%s", diff)
	}
	kept, err := e.store.UnparsedMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || !strings.Contains(kept[0].Reason, "no VERP address") {
		t.Errorf("inspection list %+v, want the DSN to no VERP address", kept)
	}
}

// Without MOVE, a COPY that fails leaves the message where it was
// (flagged), not deleted: \Deleted and EXPUNGE wait for the copy.
func TestMailboxCopyFailureKeepsMail(t *testing.T) {
	e := newIMAP(t, imap.CapSet{imap.CapIMAP4rev1: {}}, imapPass)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	e.deliver(t, "INBOX", fixture(t, "dsn-hard.eml", rcpt, "robin@tidewater.test"))
	e.failMoves.Store(1)
	if diff := cmp.Diff(bounces.PollStats{Seen: 1, Events: 1, Flagged: 1}, e.poll(t)); diff != "" {
		t.Errorf("poll (-want +got):\n%s", diff)
	}
	if in, done := e.messages(t, "INBOX"), e.messages(t, "INBOX/Processed"); in != 1 || done != 0 {
		t.Errorf("INBOX %d, INBOX/Processed %d messages; want 1 and 0", in, done)
	}
}
