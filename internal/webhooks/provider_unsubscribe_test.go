package webhooks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A reader who unsubscribed through the provider (its unsubscribe link,
// or a message it dropped because the address is on its list of those
// who did) leaves every list, as by Bulletin's one-click link, through
// the real handler into a real database: not bounced, not suppressed, no
// event stored to count in the bounce or complaint rates, and one
// subscriber.unsubscribed however often it is told. What is not the
// reader's own wish to leave (a SendGrid resubscribe, a suppression the
// account made at Postmark, a reactivation, a hard bounce Postmark's own
// Bounce record tells) changes nobody.
func TestProviderUnsubscribeLeavesEveryList(t *testing.T) {
	left := readerView{Status: "unsubscribed", Lists: "unsubscribed,unsubscribed", Delivery: "sent", Hooks: "subscriber.unsubscribed"}
	stays := readerView{Status: "confirmed", Lists: "active,active", Delivery: "sent"}
	postmark := func(old, new string) func(b []byte) []byte {
		return func(b []byte) []byte { return []byte(strings.Replace(string(b), old, new, 1)) }
	}
	for _, tc := range []struct {
		name, provider, fixture string
		edit                    func([]byte) []byte
		want                    map[string]readerView
	}{
		{"mailgun dropped for its unsubscribe list", "mailgun", "mailgun_suppress_unsubscribe", nil,
			map[string]readerView{"left@example.com": left}},
		{"mailgun unsubscribe link", "mailgun", "mailgun_unsubscribed", nil,
			map[string]readerView{"clicked@example.com": left}},
		{"sendgrid unsubscribe, group unsubscribe and resubscribe", "sendgrid", "sendgrid_unsubscribe", nil,
			map[string]readerView{"left@example.com": left, "group@example.com": left, "back@example.com": stays}},
		{"postmark unsubscribe by the reader", "postmark", "postmark_subscription_change", nil,
			map[string]readerView{"left@example.com": left}},
		{"postmark suppression by the account", "postmark", "postmark_subscription_change",
			postmark(`"Origin": "Recipient"`, `"Origin": "Customer"`), map[string]readerView{"left@example.com": stays}},
		{"postmark reactivation", "postmark", "postmark_subscription_change",
			postmark(`"SuppressSending": true`, `"SuppressSending": false`), map[string]readerView{"left@example.com": stays}},
		{"postmark hard bounce on the list", "postmark", "postmark_subscription_change",
			postmark(`"ManualSuppression"`, `"HardBounce"`), map[string]readerView{"left@example.com": stays}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newHookServer(t, map[string]string{"left@example.com": "", "clicked@example.com": "", "group@example.com": "",
				"back@example.com": "", "bystander@example.com": ""})
			body := s.fixture(tc.fixture)
			if tc.edit != nil {
				body = tc.edit(body)
			}
			// Told twice: a retry, or the drop of the next message.
			s.post(tc.provider, body)
			s.post(tc.provider, body)
			tc.want["bystander@example.com"] = stays
			for addr, want := range tc.want {
				if diff := cmp.Diff(want, s.view(addr)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", addr, diff)
				}
			}
			h, err := s.store.Health(context.Background(), time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if h.Bounces != 0 || h.Complaints != 0 {
				t.Errorf("health counts %d bounces and %d complaints, want none", h.Bounces, h.Complaints)
			}
		})
	}
}
