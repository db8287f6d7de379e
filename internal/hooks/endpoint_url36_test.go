package hooks

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A form sent twice (a double click) must not make two endpoints at one
// URL: each would get every event, signed with its own secret.
func TestCreateRefusesAURLTaken(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const u = "http://127.0.0.1:9/hook"
	first := h.endpoint(t, u, SubscriberCreated)

	str := func(s string) *string { return &s }
	evs := func(s ...string) *[]string { return &s }
	_, err := h.store.Create(ctx, Input{URL: str(" " + u + " "), Events: evs(DigestSent)})
	if bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("second endpoint at %s: err %v, want a validation error", u, err)
	}
	msg := bulletin.ErrorFields(err)["url"]
	if !strings.Contains(msg, fmt.Sprintf("endpoint %d", first.ID)) || !strings.Contains(msg, "change that endpoint's events") {
		t.Errorf("url error %q, want it to name endpoint %d and say what to do", msg, first.ID)
	}

	// The same form sent by many at once: the check and the insert share
	// the write transaction, so one of them is stored.
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.store.Create(ctx, Input{URL: str("http://127.0.0.1:9/other"), Events: evs(DigestSent)})
		}()
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case bulletin.ErrorCode(err) != bulletin.EINVALID:
			t.Errorf("concurrent create: %v, want success or a validation error", err)
		}
	}
	if made != 1 {
		t.Errorf("%d concurrent creates at one URL stored %d endpoints, want 1", n, made)
	}
	if got := count(t, h.db, `SELECT COUNT(*) FROM webhook_endpoints`); got != 2 {
		t.Errorf("%d endpoints stored, want 2", got)
	}
}

// An endpoint may keep its own URL on an update, but not take another's.
func TestUpdateRefusesAnotherEndpointsURL(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.endpoint(t, "http://127.0.0.1:9/a", SubscriberCreated)
	b := h.endpoint(t, "http://127.0.0.1:9/b", SubscriberCreated)
	str := func(s string) *string { return &s }

	if _, err := h.store.Update(ctx, a.ID, Input{URL: str(a.URL), Description: str("kept")}); err != nil {
		t.Fatalf("update keeping its own URL: %v", err)
	}
	_, err := h.store.Update(ctx, a.ID, Input{URL: str(b.URL), Description: str("lost")})
	if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorFields(err)["url"], fmt.Sprintf("endpoint %d", b.ID)) {
		t.Fatalf("update to endpoint %d's URL: %v, want a validation error naming it", b.ID, err)
	}
	got, err := h.store.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != a.URL || got.Description != "kept" {
		t.Errorf("after the refused update: %q %q, want %q %q (nothing of it applied)", got.URL, got.Description, a.URL, "kept")
	}
}

// Two endpoints at one URL, stored before the check existed, can still be
// changed while they keep it.
func TestUpdateKeepsAURLSharedFromBefore(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.endpoint(t, "http://127.0.0.1:9/a", SubscriberCreated)
	b := h.endpoint(t, "http://127.0.0.1:9/b", SubscriberCreated)
	if _, err := h.db.Write.Exec(`UPDATE webhook_endpoints SET url = ? WHERE id = ?`, a.URL, b.ID); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	got, err := h.store.Update(ctx, b.ID, Input{URL: str(a.URL), Description: str("the older copy")})
	if err != nil || got.Description != "the older copy" {
		t.Fatalf("update of a shared URL's endpoint keeping it: %+v, %v; want it applied", got, err)
	}
}
