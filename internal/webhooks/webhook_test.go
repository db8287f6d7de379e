package webhooks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

var testVERP = bounces.NewVERP([]byte("k"), "bounces.news.example.org")

// read returns a fixture with the VERP address of campaign 7's delivery
// to subscriber 42 as its return path, and that delivery's Message-ID
// (the address's local part on the left) as its {{MESSAGE_ID}}.
func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	verp := testVERP.Address(7, 42)
	local, _, _ := strings.Cut(verp, "@")
	return []byte(strings.NewReplacer("{{RETURN_PATH}}", verp, "{{MESSAGE_ID}}", local+"@news.example.org").Replace(string(b)))
}

// newTestSendGrid returns a SendGrid provider resolving with v, and the
// key that signs for it (sendGridSigned).
func newTestSendGrid(t testing.TB, v Resolver) (*SendGrid, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	sg, err := NewSendGrid(base64.StdEncoding.EncodeToString(der), v)
	if err != nil {
		t.Fatal(err)
	}
	return sg, key
}

// sendGridSigned returns the headers that sign body as SendGrid does, at
// now, with key.
func sendGridSigned(key *ecdsa.PrivateKey, body []byte, now time.Time) http.Header {
	ts := strconv.FormatInt(now.Unix(), 10)
	sum := sha256.Sum256(append([]byte(ts), body...))
	sig, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
	return http.Header{SendGridTimestampHeader: {ts}, SendGridSignatureHeader: {base64.StdEncoding.EncodeToString(sig)}}
}

// mailgunSigned fills a Mailgun fixture's signature block: token, and its
// timestamp and HMAC under signingKey at now.
func mailgunSigned(body []byte, signingKey, token string, now time.Time) []byte {
	ts := strconv.FormatInt(now.Unix(), 10)
	m := hmac.New(sha256.New, []byte(signingKey))
	m.Write([]byte(ts + token))
	return []byte(strings.NewReplacer("{{TIMESTAMP}}", ts, "{{TOKEN}}", token, "{{SIGNATURE}}", hex.EncodeToString(m.Sum(nil))).Replace(string(body)))
}

// got is what a test compares of an event: not its time or key.
type got struct {
	Kind                     events.Kind
	Status, Email            string
	CampaignID, SubscriberID int64
	Keyed                    bool
}

func summary(evs []events.Event) []got {
	var out []got
	for _, e := range evs {
		out = append(out, got{e.Kind, e.Status, e.Email, e.CampaignID, e.SubscriberID, e.Key != ""})
	}
	return out
}

// Each fixture reads as the events it reports, tied to the delivery when
// its return path is our VERP address and to the address otherwise.
func TestFixturesReadAsEvents(t *testing.T) {
	sg, key := newTestSendGrid(t, testVERP)
	pm, err := NewPostmark("u:p", testVERP)
	if err != nil {
		t.Fatal(err)
	}
	mg := NewMailgun("mg-key", testVERP, NewTokens(sqlitetest.Open(t)))
	ses := &SES{VERP: testVERP}
	now := time.Now()

	read := func(name string) ([]events.Event, error) {
		body := read(t, name)
		switch {
		case strings.HasPrefix(name, "ses_"):
			return ses.notification("sns-id", body)
		case strings.HasPrefix(name, "postmark_"):
			return pm.Events(context.Background(), http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))}}, body)
		case strings.HasPrefix(name, "sendgrid_"):
			return sg.Events(context.Background(), sendGridSigned(key, body, now), body)
		default:
			// a token a request: a token is taken once
			return mg.Events(context.Background(), nil, mailgunSigned(body, "mg-key", name, now))
		}
	}
	hard := func(status string) got {
		return got{Kind: events.BounceHard, Status: status, Email: "hard@example.com", Keyed: true}
	}
	viaVERP := got{Kind: events.BounceHard, Status: "5.1.1", Email: "hard@example.com", CampaignID: 7, SubscriberID: 42}
	soft := got{Kind: events.BounceSoft, Status: "4.2.2", Email: "soft@example.com", Keyed: true}
	complaint := got{Kind: events.Complaint, Email: "complain@example.org", Keyed: true}
	cases := map[string][]got{
		"ses_bounce":         {viaVERP},
		"ses_transient":      {soft},
		"ses_complaint":      {complaint},
		"ses_delivery":       nil,
		"postmark_bounce":    {hard("5.1.1")},
		"postmark_transient": {soft},
		"postmark_complaint": {complaint},
		"postmark_delivery":  nil,
		"sendgrid_bounce":    {hard("5.1.1"), {Kind: events.BounceSoft, Status: "5.7.1", Email: "blocked@example.com", Keyed: true}},
		"sendgrid_transient": {soft},
		"sendgrid_complaint": {complaint},
		"sendgrid_delivery":  nil,
		"mailgun_bounce":     {viaVERP},
		"mailgun_complaint":  {complaint},
		"mailgun_delivery":   nil,
		// A temporary failure is a deferral: Mailgun tries again, and
		// reports a permanent failure if it gives up.
		"mailgun_deferral": nil,
		// Permanent, but a full mailbox: soft, as its status says.
		"mailgun_mailbox_full": {{Kind: events.BounceSoft, Status: "5.2.2", Email: "soft@example.com", Keyed: true}},
		// Refused by the receiver's spam filter: a bounce, not a reader's
		// complaint.
		"postmark_spam_notification": {{Kind: events.BounceSoft, Status: "5.7.1", Email: "blocked@example.com", Keyed: true}},
		// The reader says the mail is not spam.
		"ses_complaint_not_spam": nil,
		// The envelope sender rewritten: the Message-ID names the delivery.
		"mailgun_bounce_msgid":  {viaVERP},
		"sendgrid_bounce_msgid": {viaVERP},
		// Postmark stopped retrying a message that failed for now.
		"postmark_delayed": {{Kind: events.BounceSoft, Status: "4.4.2", Email: "soft@example.com", Keyed: true}},
		// Mailgun gave up after 8 hours of temporary failures.
		"mailgun_too_old": {{Kind: events.BounceSoft, Email: "soft@example.com", Keyed: true}},
		// Dropped unsent: the address is on Mailgun's bounce list (hard
		// bounces only), or its complaint list.
		"mailgun_suppress_bounce":    {hard("")},
		"mailgun_suppress_complaint": {complaint},
		// A DMARC failure report, not the reader's complaint.
		"ses_complaint_auth_failure": nil,
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			evs, err := read(name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, summary(evs), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// Only a signing certificate's URL is fetched for a message's signature:
// a forged message naming another path on an SNS host costs no fetch.
func TestSNSCertURLs(t *testing.T) {
	cases := map[string]bool{
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem": true,
		"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem":                             true,
		"https://sns.us-east-1.amazonaws.com/x.pem":                                                          false,
		"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t":                            false,
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1":                          false,
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem#x":                            false,
		"https://sns.us-east-1.amazonaws.com/a/SimpleNotificationService-abc.pem":                            false,
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-../x.pem":                             false,
		"http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem":                               false,
		"https://evil.example/SimpleNotificationService-abc.pem":                                             false,
	}
	for u, want := range cases {
		if got := snsCertURL(u); got != want {
			t.Errorf("snsCertURL(%q) = %v, want %v", u, got, want)
		}
	}
	fetched := 0
	c := &certs{fetch: fetcherFunc(func(context.Context, string) ([]byte, error) { fetched++; return nil, errors.New("no") })}
	m := &snsMessage{SigningCertURL: "https://sns.us-east-1.amazonaws.com/forged.pem", Signature: "AAAA", SignatureVersion: "2"}
	if err := c.verify(context.Background(), m); err == nil || fetched != 0 {
		t.Errorf("verify with %s: %v after %d fetches, want an error and none", m.SigningCertURL, err, fetched)
	}
}

type fetcherFunc func(context.Context, string) ([]byte, error)

func (f fetcherFunc) Fetch(ctx context.Context, u string) ([]byte, error) { return f(ctx, u) }

func TestSNSHosts(t *testing.T) {
	cases := map[string]bool{
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem": true,
		"https://sns.ap-southeast-2.amazonaws.com/x.pem":                        true,
		"https://sns.us-gov-west-1.amazonaws.com/x.pem":                         true,
		"http://sns.us-east-1.amazonaws.com/x.pem":                              false,
		"https://sns.us-east-1.amazonaws.com.evil.example/x.pem":                false,
		"https://evil.example/sns.us-east-1.amazonaws.com/x.pem":                false,
		"https://sns.us-east-1.amazonaws.com@evil.example/x.pem":                false,
		"https://user@sns.us-east-1.amazonaws.com/x.pem":                        false,
		"https://sns.us-east-1.amazonaws.com:444/x.pem":                         false,
		"https://sqs.us-east-1.amazonaws.com/x.pem":                             false,
		"https://sns.amazonaws.com/x.pem":                                       false,
		"https://SNS.US-EAST-1.AMAZONAWS.COM/x.pem":                             false,
	}
	for u, want := range cases {
		if got := snsURL(u); got != want {
			t.Errorf("snsURL(%q) = %v, want %v", u, got, want)
		}
	}
}

// FuzzPostmark reads any body with good credentials without panicking,
// and every event it returns can be recorded.
func FuzzPostmark(f *testing.F) {
	for _, n := range []string{"postmark_bounce", "postmark_transient", "postmark_complaint", "postmark_delivery", "postmark_spam_notification"} {
		f.Add(read(f, n))
	}
	pm, _ := NewPostmark("u:p", testVERP)
	h := http.Header{"Authorization": {"Basic dTpw"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := pm.Events(context.Background(), h, body)
		checkEvents(t, evs, err)
	})
}

// FuzzSESNotification reads any SNS Message without panicking.
func FuzzSESNotification(f *testing.F) {
	for _, n := range []string{"ses_bounce", "ses_transient", "ses_complaint", "ses_delivery", "ses_complaint_not_spam"} {
		f.Add(read(f, n))
	}
	ses := &SES{VERP: testVERP}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ses.notification("id", body)
		checkEvents(t, evs, err)
	})
}

func checkEvents(t *testing.T, evs []events.Event, err error) {
	t.Helper()
	if err != nil && evs != nil {
		t.Fatalf("events with an error: %v", err)
	}
	for _, e := range evs {
		if e.Email == "" || (e.Key == "" && (e.CampaignID == 0 || e.SubscriberID == 0)) {
			t.Fatalf("event cannot be recorded: %+v", e)
		}
	}
}
