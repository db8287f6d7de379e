package subscribers

import (
	"context"
	"testing"
	"time"
)

// A reader who unsubscribes and signs up again is asking afresh: the
// confirmation goes at once, even when the last one went out less than
// ConfirmInterval ago. Only an unsubscribe after the last mail opens the
// way; a second signup right after still sends nothing.
func TestResubscribeAfterUnsubscribeMailsAtOnce(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		lastMail time.Duration // how long ago the last confirmation went
		// whole: unsubscribe from everything; otherwise drop the list
		// "sport" in the preferences.
		whole bool
	}{
		{"whole, mail long ago", 3 * time.Hour, true},
		{"whole, mail 3 minutes ago", 3 * time.Minute, true},
		{"one list, mail 3 minutes ago", 3 * time.Minute, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSignupEnv(t)
			addr := "rae@example.com"
			e.signup(&Signup{Email: addr, Lists: []string{"news", "sport"}})
			_, token := e.takeMail(addr)
			sub, err := e.click(token)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`,
				time.Now().UTC().Add(-tt.lastMail), sub.ID); err != nil {
				t.Fatal(err)
			}
			if tt.whole {
				err = e.store.Unsubscribe(ctx, sub.ID)
			} else {
				_, err = e.store.db.Write.Exec(`UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
					WHERE subscriber_id = ? AND list_id = (SELECT id FROM lists WHERE slug = 'sport')`, time.Now().UTC(), sub.ID)
			}
			if err != nil {
				t.Fatal(err)
			}

			e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
			text, token := e.takeMail(addr)
			if text == "" {
				t.Fatal("no confirmation mail for a signup right after an unsubscribe")
			}
			e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
			if again, _ := e.takeMail(addr); again != "" {
				t.Error("a second signup within ConfirmInterval of the mail sent another")
			}
			if _, err := e.click(token); err != nil {
				t.Fatal(err)
			}
			if got := readRow(t, e.store, sub.ID); got.Status != StatusConfirmed || got.Subscriptions != "news:"+map[bool]string{true: "unsubscribed", false: "active"}[tt.whole]+" sport:active" {
				t.Errorf("after the click: %+v", got)
			}
		})
	}
}
