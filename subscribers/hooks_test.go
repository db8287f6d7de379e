package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// Every change to a subscriber leaves exactly one webhook event in the
// outbox, written in the change's own transaction; a change that fails
// (and rolls back) leaves none.
func TestChangesEmitWebhookEvents(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.store.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	types := func() []string {
		t.Helper()
		rows, err := e.store.db.Read.Query(`SELECT type FROM webhook_events ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}

	e.signup(&Signup{Email: "ann@example.com", Lists: []string{"news"}}) // through the batcher
	var id int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = 'ann@example.com'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Confirm(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Update(ctx, id, &Patch{Name: ptr("Ann")}); err != nil {
		t.Fatal(err)
	}
	// A patch naming only what is so already changes nothing: no event,
	// and updated_at stays.
	var updated string
	if err := e.store.db.Read.QueryRow(`SELECT updated_at FROM subscribers WHERE id = ?`, id).Scan(&updated); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Patch{{}, {Name: ptr("Ann"), Status: ptr(StatusConfirmed)}, {Lists: &[]string{"news"}, Frequency: ptr("daily")}} {
		if _, err := e.store.Update(ctx, id, p); err != nil {
			t.Fatal(err)
		}
	}
	var still string
	if err := e.store.db.Read.QueryRow(`SELECT updated_at FROM subscribers WHERE id = ?`, id).Scan(&still); err != nil || still != updated {
		t.Errorf("updated_at %q after patches that change nothing, was %q (%v)", still, updated, err)
	}
	// A list joined is a change, though every field stays.
	if _, err := e.store.Update(ctx, id, &Patch{Lists: &[]string{"news", "sport"}}); err != nil {
		t.Fatal(err)
	}
	other, err := e.store.Create(ctx, &NewSubscriber{Email: "bob@example.com", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	// A conflict rolls the update back, and its event with it.
	if _, err := e.store.Update(ctx, other.ID, &Patch{Email: ptr("ann@example.com")}); err == nil {
		t.Fatal("taking another's address: no error")
	}
	if _, err := e.store.Create(ctx, &NewSubscriber{Email: "ann@example.com"}); err == nil {
		t.Fatal("adding a known address: no error")
	}
	for range 2 { // the second click changes nothing
		if err := e.store.Unsubscribe(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.SetPreferences(ctx, id, Preferences{Frequency: "weekly", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Import(ctx, strings.NewReader("email\ncat@example.com\n"), ImportOptions{List: "news", Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Erase(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	want := []string{
		hooks.SubscriberCreated, hooks.SubscriberConfirmed, hooks.SubscriberUpdated, hooks.SubscriberUpdated, hooks.SubscriberCreated,
		hooks.SubscriberUnsubscribed, hooks.SubscriberConfirmed, hooks.SubscriberCreated, hooks.SubscriberErased,
	}
	if diff := cmp.Diff(want, types()); diff != "" {
		t.Errorf("webhook events (-want +got):\n%s", diff)
	}
	var body string
	if err := e.store.db.Read.QueryRow(`SELECT body FROM webhook_events ORDER BY id LIMIT 1`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{`"type":"subscriber.created"`, `"email":"ann@example.com"`, `"lists":["news"]`, `"status":"pending"`} {
		if !strings.Contains(body, part) {
			t.Errorf("subscriber.created body %s, want %s in it", body, part)
		}
	}
}
