package webhooks

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// TestRefusalMessagesNameWhatIsConfigured: each provider's answer to a
// request it refuses says, in plain English, what did not match as the
// provider signs it (a signature, Postmark's basic auth, an SNS topic)
// and where that is configured, and a body not in its shape is "not a"
// or "not an" as its name asks.
func TestRefusalMessagesNameWhatIsConfigured(t *testing.T) {
	ctx := context.Background()
	ses, err := NewSES(refusalTopic, certFetcher{}, certFetcher{err: errors.New("no confirmations here")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := NewPostmark("hook:right-password", nil)
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := newTestSendGrid(t, nil)
	mg := NewMailgun("mg-key", nil, NewTokens(sqlitetest.Open(t)))
	basic := func(cred string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cred))}}
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	otherTopic := `{"Type":"Notification","TopicArn":"arn:aws:sns:eu-west-1:444455556666:someone-else","Message":"{}"}`
	for _, tc := range []struct {
		name string
		p    Provider
		h    http.Header
		body string
		code string
		want string
		not  []string
	}{
		{"ses garbage", ses, nil, "garbage", bulletin.EBADREQUEST,
			"This is not an Amazon SNS webhook body: a JSON object with Type and TopicArn.", nil},
		{"ses other topic", ses, nil, otherTopic, bulletin.EUNAUTHORIZED,
			"This SNS topic is not the topic configured (BULLETIN_WEBHOOK_SES_TOPIC or Settings).", []string{"the one in"}},
		{"postmark wrong password", pm, basic("hook:wrong-password"), `{"RecordType":"Bounce"}`, bulletin.EUNAUTHORIZED,
			"The webhook's basic auth user and password do not match the configured secret (BULLETIN_WEBHOOK_POSTMARK_SECRET or Settings).", []string{"signature"}},
		{"postmark garbage", pm, basic("hook:right-password"), "garbage", bulletin.EBADREQUEST,
			"This is not a Postmark webhook body: a JSON object with a RecordType.", nil},
		{"sendgrid bad signature", sg, http.Header{SendGridTimestampHeader: {now}, SendGridSignatureHeader: {base64.StdEncoding.EncodeToString([]byte("not a signature"))}},
			"[]", bulletin.EUNAUTHORIZED,
			"The webhook's signature does not verify with the configured SendGrid verification key (BULLETIN_WEBHOOK_SENDGRID_SECRET or Settings).", nil},
		{"mailgun bad signature", mg, nil, `{"signature":{"timestamp":"` + now + `","token":"tok","signature":"00"}}`, bulletin.EUNAUTHORIZED,
			"The webhook's signature does not match the configured Mailgun signing key (BULLETIN_WEBHOOK_MAILGUN_SECRET or Settings).", nil},
		{"mailgun garbage", mg, nil, "garbage", bulletin.EBADREQUEST,
			"This is not a Mailgun webhook body: a JSON object with signature and event-data.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.Events(ctx, tc.h, []byte(tc.body))
			if code := bulletin.ErrorCode(err); code != tc.code {
				t.Fatalf("error %v (code %q), want code %q", err, code, tc.code)
			}
			msg := bulletin.ErrorMessage(err)
			if msg != tc.want {
				t.Errorf("answer\n %q, want\n %q", msg, tc.want)
			}
			for _, bad := range append(tc.not, "not a Amazon", " a A", " a E", " a I", " a O", " a U") {
				if strings.Contains(msg, bad) {
					t.Errorf("answer %q says %q", msg, bad)
				}
			}
		})
	}
}

// TestSESMessageGarbageSaysAnAmazon: the SES notification inside an SNS
// message that is not SES's JSON is "not an Amazon SES" body.
func TestSESMessageGarbageSaysAnAmazon(t *testing.T) {
	ses := &SES{}
	_, err := ses.notification("sns-1", []byte("garbage"))
	if got, want := bulletin.ErrorMessage(err), "This is not an Amazon SES webhook body: the SNS Message is not SES notification JSON."; got != want {
		t.Errorf("answer %q, want %q", got, want)
	}
}
