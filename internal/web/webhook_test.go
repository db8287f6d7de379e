package web

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/webhooks"
)

// baseline is every reader confirmed, nothing recorded.
func baseline() hookState {
	return hookState{Status: map[string]string{"hard@example.com": "confirmed", "soft@example.com": "confirmed",
		"complain@example.org": "confirmed", "delivered@example.com": "confirmed", "blocked@example.com": "confirmed"},
		Delivery: "sent"}
}

// with returns the baseline with status changes, the delivery's status
// and the events recorded.
func with(delivery string, events int, status ...string) hookState {
	st := baseline()
	st.Delivery, st.Events = delivery, events
	for i := 0; i < len(status); i += 2 {
		st.Status[status[i]] = status[i+1]
	}
	return st
}

// send posts fixture to its provider's webhook, signed as the provider
// signs it (Mailgun with token, SNS as version).
func (e *hookEnv) send(provider, fixture string) int {
	body := e.fixture(fixture)
	switch provider {
	case "ses":
		version := "1"
		if strings.Contains(fixture, "transient") || strings.Contains(fixture, "delivery") {
			version = "2"
		}
		return e.post("/webhooks/ses", nil, e.snsEnvelope("sns-"+fixture, body, version))
	case "postmark":
		return e.post("/webhooks/postmark", basicAuth(hookPostmark), body)
	case "sendgrid":
		return e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body)
	case "mailgun":
		return e.post("/webhooks/mailgun", nil, mailgunSign(body, hookMailgun, e.now, "token-"+fixture))
	}
	e.t.Fatalf("no provider %s", provider)
	return 0
}

func TestWebhookFixturesChangeTheRightReadersOnce(t *testing.T) {
	hardVERP := with("bounced", 1, "hard@example.com", "bounced")
	hardByAddress := with("sent", 1, "hard@example.com", "bounced")
	soft := with("sent", 1)
	complaint := with("sent", 1, "complain@example.org", "unsubscribed")
	nothing := baseline()
	cases := []struct {
		provider, fixture string
		want              hookState
	}{
		{"ses", "ses_bounce", hardVERP},
		{"ses", "ses_transient", soft},
		{"ses", "ses_complaint", complaint},
		{"ses", "ses_delivery", nothing},
		{"postmark", "postmark_bounce", hardByAddress},
		{"postmark", "postmark_transient", soft},
		{"postmark", "postmark_complaint", complaint},
		{"postmark", "postmark_delivery", nothing},
		{"sendgrid", "sendgrid_bounce", with("sent", 2, "hard@example.com", "bounced")}, // and a soft "blocked"
		{"sendgrid", "sendgrid_transient", soft},                                        // the deferral is not counted
		{"sendgrid", "sendgrid_complaint", complaint},
		{"sendgrid", "sendgrid_delivery", nothing},
		{"mailgun", "mailgun_bounce", hardVERP},
		{"mailgun", "mailgun_deferral", nothing}, // a temporary failure: Mailgun tries again
		{"mailgun", "mailgun_mailbox_full", soft},
		{"postmark", "postmark_spam_notification", with("sent", 1)}, // blocked@: a soft bounce, no complaint
		{"ses", "ses_complaint_not_spam", nothing},
		{"mailgun", "mailgun_complaint", complaint},
		{"mailgun", "mailgun_delivery", nothing},
		{"postmark", "postmark_delayed", soft},                // Transient: Postmark stopped retrying
		{"mailgun", "mailgun_too_old", soft},                  // gave up after 8 h of temporary failures
		{"mailgun", "mailgun_suppress_bounce", hardByAddress}, // on Mailgun's bounce list: hard bounces only
		{"mailgun", "mailgun_suppress_complaint", complaint},  // on Mailgun's complaint list
		{"ses", "ses_complaint_auth_failure", nothing},        // a DMARC failure report, no reader's complaint
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			e := newHookEnv(t)
			if got := e.send(tc.provider, tc.fixture); got != http.StatusOK {
				t.Fatalf("status = %d, want 200", got)
			}
			if diff := cmp.Diff(tc.want, e.state()); diff != "" {
				t.Errorf("after the event (-want +got):\n%s", diff)
			}
			// The provider retries: the same request again is stored once.
			if got := e.send(tc.provider, tc.fixture); got != http.StatusOK {
				t.Fatalf("replay: status = %d, want 200", got)
			}
			if diff := cmp.Diff(tc.want, e.state()); diff != "" {
				t.Errorf("after the replay (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebhookForgedOrStaleChangesNothing(t *testing.T) {
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	old := func(e *hookEnv) time.Time { return e.now.Add(-webhooks.MaxAge - time.Minute) }
	cases := []struct {
		name string
		send func(e *hookEnv) int
		want int
	}{
		{"ses message altered after signing", func(e *hookEnv) int {
			body := e.snsEnvelope("sns-1", e.fixture("ses_bounce"), "1")
			return e.post("/webhooks/ses", nil, bytes.Replace(body, []byte("hard@example.com"), []byte("soft@example.com"), 1))
		}, 401},
		{"ses certificate elsewhere", func(e *hookEnv) int {
			body := e.snsEnvelope("sns-1", e.fixture("ses_bounce"), "2")
			return e.post("/webhooks/ses", nil, bytes.Replace(body, []byte("sns.eu-west-1.amazonaws.com/Simple"), []byte("sns.eu-west-1.amazonaws.com.evil.example/Simple"), 1))
		}, 401},
		{"ses another topic, signed by SNS", func(e *hookEnv) int {
			// Any AWS account's topic is signed by SNS: only ours is taken.
			return e.post("/webhooks/ses", nil, e.snsEnvelopeFrom("arn:aws:sns:eu-west-1:999988887777:bulletin-feedback", "sns-1", e.fixture("ses_bounce"), "1"))
		}, 401},
		{"postmark wrong password", func(e *hookEnv) int {
			return e.post("/webhooks/postmark", basicAuth("postmark-hook:wrong"), e.fixture("postmark_bounce"))
		}, 401},
		{"postmark no auth", func(e *hookEnv) int {
			return e.post("/webhooks/postmark", nil, e.fixture("postmark_bounce"))
		}, 401},
		{"sendgrid another key", func(e *hookEnv) int {
			body := e.fixture("sendgrid_bounce")
			h := e.sendGridHeaders(body, e.now)
			tss := h.Get("X-Twilio-Email-Event-Webhook-Timestamp")
			sum := sha256.Sum256(append([]byte(tss), body...))
			sig, _ := ecdsa.SignASN1(rand.Reader, other, sum[:])
			h.Set("X-Twilio-Email-Event-Webhook-Signature", base64.StdEncoding.EncodeToString(sig))
			return e.post("/webhooks/sendgrid", h, body)
		}, 401},
		{"sendgrid body altered", func(e *hookEnv) int {
			body := e.fixture("sendgrid_complaint")
			return e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), bytes.Replace(body, []byte("complain@"), []byte("delivered@"), 1))
		}, 401},
		{"sendgrid stale", func(e *hookEnv) int {
			body := e.fixture("sendgrid_bounce")
			return e.post("/webhooks/sendgrid", e.sendGridHeaders(body, old(e)), body)
		}, 401},
		{"mailgun wrong key", func(e *hookEnv) int {
			return e.post("/webhooks/mailgun", nil, mailgunSign(e.fixture("mailgun_bounce"), "key-guess", e.now, "t1"))
		}, 401},
		{"mailgun stale", func(e *hookEnv) int {
			return e.post("/webhooks/mailgun", nil, mailgunSign(e.fixture("mailgun_bounce"), hookMailgun, old(e), "t1"))
		}, 401},
		{"sendgrid not an array", func(e *hookEnv) int {
			body := []byte(`{"email":"hard@example.com","event":"bounce"}`)
			return e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body)
		}, 400},
		{"postmark not a record", func(e *hookEnv) int {
			return e.post("/webhooks/postmark", basicAuth(hookPostmark), []byte(`[{"Email":"hard@example.com"}]`))
		}, 400},
		{"mailgun no event-data", func(e *hookEnv) int {
			return e.post("/webhooks/mailgun", nil, mailgunSign([]byte(`{"signature":{"timestamp":"{{TIMESTAMP}}","token":"{{TOKEN}}","signature":"{{SIGNATURE}}"}}`), hookMailgun, e.now, "t2"))
		}, 400},
		{"ses message not SES JSON", func(e *hookEnv) int {
			return e.post("/webhooks/ses", nil, e.snsEnvelope("sns-2", []byte("hello"), "2"))
		}, 400},
		{"postmark over 1 MiB", func(e *hookEnv) int {
			body := append(e.fixture("postmark_bounce"), bytes.Repeat([]byte(" "), 1<<20)...)
			return e.post("/webhooks/postmark", basicAuth(hookPostmark), body)
		}, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newHookEnv(t)
			if got := tc.send(e); got != tc.want {
				t.Errorf("status = %d, want %d", got, tc.want)
			}
			if diff := cmp.Diff(baseline(), e.state()); diff != "" {
				t.Errorf("a refused request changed readers (-want +got):\n%s", diff)
			}
			for _, u := range e.fetcher.urls() {
				if u != hookCertURL {
					t.Errorf("fetched %s", u)
				}
			}
		})
	}
}

func TestSNSSubscriptionIsConfirmedOnlyOnAnSNSHost(t *testing.T) {
	good := "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + hookTopic + "&Token=tok-123"
	cases := []struct {
		name, subscribe, cert string
		status                int
		fetched               []string
	}{
		{"confirmed", good, hookCertURL, 200, []string{hookCertURL, good}},
		{"subscribe over http", strings.Replace(good, "https:", "http:", 1), hookCertURL, 400, []string{hookCertURL}},
		{"subscribe elsewhere", "https://sns.eu-west-1.amazonaws.com.evil.example/?Action=ConfirmSubscription", hookCertURL, 400, []string{hookCertURL}},
		{"certificate over http", good, strings.Replace(hookCertURL, "https:", "http:", 1), 401, nil},
		{"certificate with a port", good, strings.Replace(hookCertURL, ".com/", ".com:8443/", 1), 401, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newHookEnv(t)
			if got := e.post("/webhooks/ses", nil, e.snsConfirmation(tc.subscribe, tc.cert)); got != tc.status {
				t.Errorf("status = %d, want %d", got, tc.status)
			}
			if diff := cmp.Diff(tc.fetched, e.fetcher.urls()); diff != "" {
				t.Errorf("fetched (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebhookNotSetUpIs404(t *testing.T) {
	_, h := foundationServer(t, nil)
	for _, p := range []string{"ses", "postmark", "sendgrid", "mailgun"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/webhooks/"+p, strings.NewReader(`{}`)))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status = %d, want 404", p, rec.Code)
		}
	}
}

// A 401 for Postmark's basic auth says how to authenticate (RFC 7235);
// one for a bad signature has no credentials to ask for.
func TestWebhookBasicAuthRefusalChallenges(t *testing.T) {
	e := newHookEnv(t)
	for _, tc := range []struct {
		path, want string
		hdr        http.Header
		body       []byte
	}{
		{"/webhooks/postmark", webhooks.PostmarkChallenge, basicAuth("postmark-hook:wrong"), e.fixture("postmark_bounce")},
		{"/webhooks/postmark", webhooks.PostmarkChallenge, nil, e.fixture("postmark_bounce")},
		{"/webhooks/mailgun", "", nil, mailgunSign(e.fixture("mailgun_bounce"), "key-guess", e.now, "t1")},
	} {
		req := httptest.NewRequest("POST", tc.path, bytes.NewReader(tc.body))
		for k, v := range tc.hdr {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != tc.want {
			t.Errorf("%s: %d, WWW-Authenticate %q; want 401, %q", tc.path, rec.Code, rec.Header().Get("WWW-Authenticate"), tc.want)
		}
	}
}
