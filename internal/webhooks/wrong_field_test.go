package webhooks

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// TestWrongFieldTypeNamed: a body of the provider's shape with one field
// of the wrong type is answered 400 naming that field, what it should be
// and what it is. A tester's Postmark bounce with "ID":"str" was "not a
// Postmark webhook body: a JSON object with a RecordType", though it had
// one; the other providers said the same of theirs.
func TestWrongFieldTypeNamed(t *testing.T) {
	ctx := context.Background()
	pm, err := NewPostmark("hook:right-password", nil)
	if err != nil {
		t.Fatal(err)
	}
	auth := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("hook:right-password"))}}
	ses, err := NewSES(refusalTopic, certFetcher{}, certFetcher{err: errors.New("no confirmations here")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sg, key := newTestSendGrid(t, nil)
	mg := NewMailgun("mg-key", nil, NewTokens(sqlitetest.Open(t)))
	sgBody := `[{"email":"a@example.net","event":"bounce","sg_event_id":"e1","timestamp":1},{"email":"b@example.net","event":"bounce","sg_event_id":"e2","timestamp":"yesterday"}]`
	for _, tc := range []struct {
		name string
		p    Provider
		h    http.Header
		body string
		want string
	}{
		{"postmark ID", pm, auth, `{"RecordType":"Bounce","Type":"HardBounce","Email":"b007@example.net","ID":"str"}`,
			`This Postmark webhook body has a field of the wrong type: "ID" should be a number, not "str".`},
		{"postmark BouncedAt", pm, auth, `{"RecordType":"Bounce","Type":"HardBounce","Email":"b007@example.net","ID":1,"BouncedAt":"x"}`,
			`This Postmark webhook body has a field of the wrong type: "BouncedAt" should be a time like 2025-01-02T15:04:05Z, not "x".`},
		{"postmark TypeCode, in another case", pm, auth, `{"RecordType":"Bounce","typecode":"one","Email":"b007@example.net","ID":1}`,
			`This Postmark webhook body has a field of the wrong type: "TypeCode" should be a whole number, not "one".`},
		{"sns TopicArn", ses, nil, `{"Type":"Notification","TopicArn":42}`,
			`This Amazon SNS webhook body has a field of the wrong type: "TopicArn" should be a string, not 42.`},
		{"sendgrid timestamp", sg, sendGridSigned(key, []byte(sgBody), time.Now()), sgBody,
			`This SendGrid webhook body has a field of the wrong type: "[1].timestamp" should be a whole number, not "yesterday".`},
		{"mailgun timestamp", mg, nil, `{"signature":{"timestamp":"1","token":"t","signature":"00"},"event-data":{"event":"failed","timestamp":"noon"}}`,
			`This Mailgun webhook body has a field of the wrong type: "event-data.timestamp" should be a number, not "noon".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.Events(ctx, tc.h, []byte(tc.body))
			if code := bulletin.ErrorCode(err); code != bulletin.EBADREQUEST {
				t.Fatalf("error %v (code %q), want %q", err, code, bulletin.EBADREQUEST)
			}
			if msg := bulletin.ErrorMessage(err); msg != tc.want {
				t.Errorf("answer\n %q, want\n %q", msg, tc.want)
			}
		})
	}
	// The SES notification inside an SNS message names its field by path.
	_, err = (&SES{}).notification("sns-1", []byte(`{"notificationType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress":"a@example.net","status":5}]}}`))
	want := `This Amazon SES webhook body has a field of the wrong type: "bounce.bouncedRecipients[0].status" should be a string, not 5.`
	if msg := bulletin.ErrorMessage(err); msg != want {
		t.Errorf("SES notification: answer\n %q, want\n %q", msg, want)
	}
}
