package web

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A reader who unsubscribed through the provider (its unsubscribe link,
// or a message it dropped because the address is on its list of those
// who did) leaves every list, as by Bulletin's one-click link, through
// the real handler into a real database: not bounced, not suppressed, one
// unsubscribe event stored and one subscriber.unsubscribed however often
// it is told, and nothing counted in the bounce or complaint rates. What is not the
// reader's own wish to leave (a SendGrid resubscribe, a suppression the
// account made at Postmark, a reactivation, a hard bounce Postmark's own
// Bounce record tells) changes nobody.
func TestProviderUnsubscribeLeavesEveryList(t *testing.T) {
	left := readerView{Status: "unsubscribed", Lists: "unsubscribed,unsubscribed", Delivery: "sent", Events: "unsubscribe", Hooks: "subscriber.unsubscribed"}
	stays := readerView{Status: "confirmed", Lists: "active,active", Delivery: "sent"}
	fixture := func(provider, name string) func(e *hookEnv) int {
		return func(e *hookEnv) int { return e.send(provider, name) }
	}
	postmark := func(old, new string) func(e *hookEnv) int {
		return func(e *hookEnv) int {
			body := bytes.Replace(e.fixture("postmark_subscription_change"), []byte(old), []byte(new), 1)
			return e.post("/webhooks/postmark", basicAuth(hookPostmark), body)
		}
	}
	for _, tc := range []struct {
		name string
		send func(e *hookEnv) int
		want map[string]readerView
	}{
		{"mailgun dropped for its unsubscribe list", fixture("mailgun", "mailgun_suppress_unsubscribe"),
			map[string]readerView{"left@example.com": left}},
		{"mailgun unsubscribe link", fixture("mailgun", "mailgun_unsubscribed"),
			map[string]readerView{"clicked@example.com": left}},
		{"sendgrid unsubscribe, group unsubscribe and resubscribe", fixture("sendgrid", "sendgrid_unsubscribe"),
			map[string]readerView{"left@example.com": left, "group@example.com": left, "back@example.com": stays}},
		{"postmark unsubscribe by the reader", fixture("postmark", "postmark_subscription_change"),
			map[string]readerView{"left@example.com": left}},
		{"postmark suppression by the account", postmark(`"Origin": "Recipient"`, `"Origin": "Customer"`),
			map[string]readerView{"left@example.com": stays}},
		{"postmark reactivation", postmark(`"SuppressSending": true`, `"SuppressSending": false`),
			map[string]readerView{"left@example.com": stays}},
		{"postmark hard bounce on the list", postmark(`"ManualSuppression"`, `"HardBounce"`),
			map[string]readerView{"left@example.com": stays}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newHookEnv(t)
			for _, addr := range []string{"left@example.com", "clicked@example.com", "group@example.com", "back@example.com", "bystander@example.com"} {
				e.addReader(addr, "")
			}
			// Told twice: a retry, or the drop of the next message.
			for range 2 {
				if got := tc.send(e); got != http.StatusOK {
					t.Fatalf("status = %d, want 200", got)
				}
			}
			tc.want["bystander@example.com"] = stays
			for addr, want := range tc.want {
				if diff := cmp.Diff(want, e.view(addr)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", addr, diff)
				}
			}
			if bounces, complaints := e.rates(); bounces != 0 || complaints != 0 {
				t.Errorf("health counts %d bounces and %d complaints, want none", bounces, complaints)
			}
		})
	}
}
