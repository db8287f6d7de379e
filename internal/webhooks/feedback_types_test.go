package webhooks

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Only a reader marking the mail as spam is a Postmark complaint. A
// SpamNotification (TypeCode 512) is the receiving server's spam filter
// refusing the message: a soft bounce, as a block is. The Type decides
// over the TypeCode, which Postmark's own spam complaint example gives as
// 512; a record with no Type is read by its TypeCode.
func TestPostmarkTypesOfFeedback(t *testing.T) {
	pm, err := NewPostmark("u:p", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))}}
	for _, tc := range []struct {
		record, typ string
		code        int
		want        events.Kind // "" for no event
	}{
		{"Bounce", "SpamNotification", 512, events.BounceSoft},
		{"Bounce", "", 512, events.BounceSoft},
		{"SpamComplaint", "SpamComplaint", 512, events.Complaint}, // as Postmark's example has it
		{"SpamComplaint", "SpamComplaint", 100001, events.Complaint},
		{"Bounce", "SpamComplaint", 100001, events.Complaint},
		{"Bounce", "", 100001, events.Complaint},
		{"Bounce", "HardBounce", 1, events.BounceHard},
		{"Bounce", "Blocked", 100006, events.BounceSoft},
		{"Bounce", "AutoResponder", 64, ""},
		{"Bounce", "VirusNotification", 8192, ""},
		{"Bounce", "AddressChange", 128, ""},
		{"Bounce", "ManuallyDeactivated", 100002, ""},
		{"Bounce", "Unknown", 2048, ""},
	} {
		name := fmt.Sprintf("%s/%s/%d", tc.record, tc.typ, tc.code)
		body := fmt.Sprintf(`{"RecordType":%q,"ID":7,"Type":%q,"TypeCode":%d,"Email":"reader@example.com","Details":"smtp;550 5.7.1 refused"}`,
			tc.record, tc.typ, tc.code)
		evs, err := pm.Events(context.Background(), h, []byte(body))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got events.Kind
		if len(evs) == 1 {
			got = evs[0].Kind
		} else if len(evs) > 1 {
			t.Errorf("%s: %d events", name, len(evs))
		}
		if got != tc.want {
			t.Errorf("%s: event %q, want %q", name, got, tc.want)
		}
	}
}

// An SES complaint is a reader's complaint when its feedback type says
// the mail was unwanted (abuse, fraud, virus) or when it has none: SES
// gives one only when the ISP attached a feedback report. not-spam, an
// auth-failure (a DMARC failure report), other and any type not
// registered are no complaint, as they are in an ARF report.
func TestSESComplaintsByFeedbackType(t *testing.T) {
	ses := &SES{VERP: testVERP}
	complaint := got{Kind: events.Complaint, Email: "complain@example.org", Keyed: true}
	const field = `"complaintFeedbackType": "abuse",`
	for typ, want := range map[string][]got{
		"not-spam":     nil,
		"Not-Spam":     nil,
		"auth-failure": nil,
		"AUTH-FAILURE": nil,
		"other":        nil,
		"opt-out":      nil,
		"abuse":        {complaint},
		" Abuse ":      {complaint},
		"fraud":        {complaint},
		"virus":        {complaint},
		"":             {complaint},
		"(absent)":     {complaint},
	} {
		line := fmt.Sprintf(`"complaintFeedbackType": %q,`, typ)
		if typ == "(absent)" {
			line = ""
		}
		fixture := string(read(t, "ses_complaint"))
		if !strings.Contains(fixture, field) {
			t.Fatalf("ses_complaint has no %s", field)
		}
		evs, err := ses.notification("sns-id", []byte(strings.Replace(fixture, field, line, 1)))
		if err != nil {
			t.Errorf("%q: %v", typ, err)
			continue
		}
		if diff := cmp.Diff(want, summary(evs), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q: events (-want +got):\n%s", typ, diff)
		}
	}
}

// SES and an ARF report sent to a VERP address agree on which feedback
// types are complaints, so that a reader's fate does not hang on the
// path the report took.
func TestSESFeedbackTypesAgreeWithARF(t *testing.T) {
	for _, typ := range []string{"abuse", "fraud", "virus", "other", "not-spam", "auth-failure", "opt-out"} {
		arf := bounces.Parse([]byte(strings.ReplaceAll(fmt.Sprintf(arfReport, typ), "\n", "\r\n")))
		if typ == "abuse" && arf.Kind != events.Complaint {
			t.Fatalf("the ARF report does not parse: %+v", arf)
		}
		if got, want := sesComplaint(typ), arf.Kind == events.Complaint; got != want {
			t.Errorf("%s: SES complaint %v, ARF complaint %v", typ, got, want)
		}
	}
}

// arfReport is an ARF report (RFC 5965) of the Feedback-Type in %s.
const arfReport = `From: fbl@isp.example
To: bounce@bounces.news.example.org
Subject: Feedback report
Message-ID: <fbl-1@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b1"

--b1
Content-Type: text/plain

A report about a message from your domain.

--b1
Content-Type: message/feedback-report

Feedback-Type: %s
User-Agent: ExampleFBL/1.0
Version: 1
Original-Rcpt-To: <complain@example.org>

--b1
Content-Type: text/rfc822-headers

Message-ID: <news-1@news.example.org>

--b1--
`

// The 401 that refuses Postmark's basic auth challenges for it (RFC 7235:
// a 401 carries WWW-Authenticate); a refused signature is no matter of
// credentials in a header, and has none.
func TestOnlyBasicAuthRefusalsChallenge(t *testing.T) {
	ctx := context.Background()
	pm, err := NewPostmark("hook:right-password", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pm.Events(ctx, http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("hook:wrong"))}}, []byte(`{}`))
	if got, want := Challenge(err), `Basic realm="Bulletin webhooks", charset="UTF-8"`; got != want {
		t.Errorf("wrong password: challenge %q, want %q", got, want)
	}
	_, err = pm.Events(ctx, nil, []byte(`{}`))
	if got := Challenge(err); !strings.HasPrefix(got, "Basic realm=") {
		t.Errorf("no credentials: challenge %q, want Basic", got)
	}
	_, err = pm.Events(ctx, http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("hook:right-password"))}}, []byte(`garbage`))
	if got := Challenge(err); got != "" {
		t.Errorf("a bad body with good credentials: challenge %q, want none", got)
	}
	mg := NewMailgun("mg-key", nil, NewTokens(sqlitetest.Open(t)))
	_, err = mg.Events(ctx, nil, mailgunSigned(read(t, "mailgun_bounce"), "key-guess", "t1", time.Now()))
	if err == nil || Challenge(err) != "" {
		t.Errorf("mailgun bad signature: %v, challenge %q; want refused, none", err, Challenge(err))
	}
	sg, _ := newTestSendGrid(t, nil)
	_, err = sg.Events(ctx, http.Header{}, []byte(`[]`))
	if err == nil || Challenge(err) != "" {
		t.Errorf("sendgrid no signature: %v, challenge %q; want refused, none", err, Challenge(err))
	}
}
