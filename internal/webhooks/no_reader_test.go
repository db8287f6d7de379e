package webhooks

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A provider's bounce about mail to no reader suppresses nothing, as a
// DSN about one does not (bounces keeps it for the admin): an address no
// reader has (a colleague's test address, mistyped or not), and a test
// send's mail, which its VERP address names, to an address that is also
// a reader's. The reader stays confirmed; every report is stored. A
// reader's own mail still bounces them.
func TestProviderBouncesAboutNoReaderSuppressNothing(t *testing.T) {
	db := sqlitetest.Open(t)
	store := events.NewStore(db)
	ctx := context.Background()
	now := sqlite.Now()
	res, err := db.Write.Exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('News', 'sent', ?, ?)`, now, now)
	if err != nil {
		t.Fatal(err)
	}
	cid, _ := res.LastInsertId()
	reader := func(email string) int64 {
		t.Helper()
		res, err := db.Write.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
			VALUES (?, lower(?), 'confirmed', ?, ?, ?)`, email, email, now, now, now)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := db.Write.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`,
			cid, id, now, now); err != nil {
			t.Fatal(err)
		}
		return id
	}
	editor := reader("editor@example.com") // also a reader, and test-sent to
	dead := reader("dead@example.com")
	testSend := testVERP.AddressOf(bounces.Delivery{Kind: bounces.KindTest, CampaignID: cid})

	// fixture is a provider's fixture about to instead of hard@example.com,
	// with returnPath as its envelope sender when it has one.
	fixture := func(name, to, returnPath string) []byte {
		b := read(t, name)
		return []byte(strings.NewReplacer("hard@example.com", to, testVERP.Address(7, 42), returnPath).Replace(string(b)))
	}
	pm, err := NewPostmark("u:p", testVERP)
	if err != nil {
		t.Fatal(err)
	}
	pmAuth := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))}}
	sg, key := newTestSendGrid(t, testVERP)
	mg := NewMailgun("mg-key", testVERP, NewTokens(db))
	ses := &SES{VERP: testVERP}

	var all []events.Event
	take := func(name string, evs []events.Event, err error) {
		t.Helper()
		if err != nil || len(evs) == 0 {
			t.Fatalf("%s: %d events, %v", name, len(evs), err)
		}
		all = append(all, evs...)
	}
	evs, err := pm.Events(ctx, pmAuth, fixture("postmark_bounce", "stranger@nowhere.example", ""))
	take("postmark, stranger", evs, err)
	body := fixture("sendgrid_bounce", "stranger.sg@nowhere.example", "")
	evs, err = sg.Events(ctx, sendGridSigned(key, body, time.Now()), body)
	take("sendgrid, stranger", evs, err)
	evs, err = mg.Events(ctx, nil, mailgunSigned(fixture("mailgun_bounce", "stranger.mg@nowhere.example", "news@news.example.org"), "mg-key", "t-1", time.Now()))
	take("mailgun, stranger", evs, err)
	evs, err = ses.notification("sns-1", fixture("ses_bounce", "stranger.ses@nowhere.example", "news@news.example.org"))
	take("ses, stranger", evs, err)
	evs, err = mg.Events(ctx, nil, mailgunSigned(fixture("mailgun_bounce", "editor@example.com", testSend), "mg-key", "t-2", time.Now()))
	take("mailgun, test send", evs, err)
	evs, err = ses.notification("sns-2", fixture("ses_bounce", "editor@example.com", testSend))
	take("ses, test send", evs, err)
	evs, err = mg.Events(ctx, nil, mailgunSigned(fixture("mailgun_bounce", "dead@example.com", testVERP.Address(cid, dead)), "mg-key", "t-3", time.Now()))
	take("mailgun, a reader's mail", evs, err)

	if _, err := store.Record(ctx, all); err != nil {
		t.Fatal(err)
	}
	var suppressed []string
	rows, err := db.Read.Query(`SELECT target FROM suppressions ORDER BY target`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		suppressed = append(suppressed, s)
	}
	if len(suppressed) != 1 || suppressed[0] != "dead@example.com" {
		t.Errorf("suppressed %q, want only the reader's dead@example.com", suppressed)
	}
	for id, want := range map[int64]string{editor: "confirmed/0", dead: "bounced/1"} {
		var status string
		var n int
		if err := db.Read.QueryRow(`SELECT status, bounce_count FROM subscribers WHERE id = ?`, id).Scan(&status, &n); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%s/%d", status, n); got != want {
			t.Errorf("reader %d: %s, want %s", id, got, want)
		}
	}
	var stored, underEditor int
	if err := db.Read.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE subscriber_id = ?) FROM events`, editor).Scan(&stored, &underEditor); err != nil {
		t.Fatal(err)
	}
	if stored != len(all) || underEditor != 0 {
		t.Errorf("%d events stored, %d of them under the editor's reader; want all %d, none", stored, underEditor, len(all))
	}
}
