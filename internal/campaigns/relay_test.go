package campaigns_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

// queueID is the id the test relay gives the message to addr, in the
// form of SendGrid's (and Postfix's) "queued as" reply.
func queueID(addr string) string {
	sum := sha256.Sum256([]byte(addr))
	return "sg" + hex.EncodeToString(sum[:8])
}

// A campaign sent through a relay that names each message in its 250
// reply keeps each delivery's id; the relay's webhook event, naming the
// message by that id, lands on that delivery although the reader's
// address has changed since.
func TestRelayIDFromSendToWebhook(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	srv := smtptest.Start(t, smtptest.WithAcceptReply(func(m smtptest.Message) string {
		return "Ok: queued as " + queueID(m.To[0])
	}))
	list := e.addList(t, "news")
	readers := e.addReaders(t, 3, list)
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello {{ .Name }}.", Lists: []string{"news"}}
	e.sendTo(t, c, srv)

	got := map[string]string{}
	rows, err := e.db.Read.Query(`SELECT s.email, d.status, COALESCE(d.relay_id, '') FROM deliveries d
		JOIN subscribers s ON s.id = d.subscriber_id WHERE d.campaign_id = ?`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var email, status, rid string
		if err := rows.Scan(&email, &status, &rid); err != nil {
			t.Fatal(err)
		}
		got[email] = status + " " + rid
	}
	rows.Close()
	want := map[string]string{}
	for i := range readers {
		addr := fmt.Sprintf("r%02d@example.com", i)
		want[addr] = "sent " + queueID(addr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("deliveries (-want +got):\n%s", diff)
	}

	// r01 moves; SendGrid then reports the old address bounced.
	e.exec(t, `UPDATE subscribers SET email = 'moved@example.org', email_key = 'moved@example.org' WHERE id = ?`, readers[1])
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	sg, err := webhooks.NewSendGrid(base64.StdEncoding.EncodeToString(der), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`[{"email": "R01@example.com", "timestamp": 1795950760, "event": "bounce", "type": "bounce",
		"sg_event_id": "ZXZlbnQtMDAx", "sg_message_id": "` + queueID("r01@example.com") + `.filterdrecv-5d8b-1-000001",
		"reason": "550 5.1.1 No such user", "status": "5.1.1"}]`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha256.Sum256(append([]byte(ts), body...))
	sig, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
	evs, err := sg.Events(ctx, http.Header{webhooks.SendGridTimestampHeader: {ts}, webhooks.SendGridSignatureHeader: {base64.StdEncoding.EncodeToString(sig)}}, body)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := events.NewStore(e.db).Record(ctx, evs); err != nil || n != 1 {
		t.Fatalf("Record = %d, %v; want 1 stored", n, err)
	}
	var cid, sid int64
	var dkey, status string
	if err := e.db.Read.QueryRow(`SELECT campaign_id, subscriber_id, dedupe_key,
		(SELECT status FROM deliveries WHERE campaign_id = events.campaign_id AND subscriber_id = events.subscriber_id)
		FROM events`).Scan(&cid, &sid, &dkey, &status); err != nil {
		t.Fatal(err)
	}
	if cid != c.ID || sid != readers[1] || dkey != events.DeliveryKey(events.BounceHard, c.ID, readers[1]) || status != "bounced" {
		t.Errorf("event on campaign %d, reader %d, key %q, delivery %s; want campaign %d, reader %d, its delivery key, bounced",
			cid, sid, dkey, status, c.ID, readers[1])
	}
}
