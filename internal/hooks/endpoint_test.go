package hooks

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

func TestCreateValidates(t *testing.T) {
	h := newHarness(t)
	h.store.Guard = Guard{}
	str := func(s string) *string { return &s }
	evs := func(s ...string) *[]string { return &s }
	for _, tc := range []struct {
		name string
		in   Input
		want map[string]string // field → part of the message
	}{
		{"empty", Input{}, map[string]string{"url": "is required", "events": "is required"}},
		{"bad url", Input{URL: str("not a url"), Events: evs(SubscriberCreated)}, map[string]string{"url": "http:// or https://"}},
		{"private", Input{URL: str("http://10.0.0.1/x"), Events: evs(SubscriberCreated)}, map[string]string{"url": "BULLETIN_ALLOW_PRIVATE_FEEDS"}},
		{"unknown event", Input{URL: str("http://93.184.215.14/"), Events: evs("subscriber.deleted")}, map[string]string{"events": `"subscriber.deleted" is not an event type`}},
		{"no event", Input{URL: str("http://93.184.215.14/"), Events: evs()}, map[string]string{"events": "at least one"}},
	} {
		_, err := h.store.Create(context.Background(), tc.in)
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("%s: err %v, want a validation error", tc.name, err)
			continue
		}
		fields := bulletin.ErrorFields(err)
		for f, part := range tc.want {
			if !strings.Contains(fields[f], part) {
				t.Errorf("%s: %s %q, want it to say %q", tc.name, f, fields[f], part)
			}
		}
		if len(fields) != len(tc.want) {
			t.Errorf("%s: fields %v, want only %v", tc.name, fields, tc.want)
		}
	}
}

func TestCreateShowsTheSecretOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	e := h.endpoint(t, "http://127.0.0.1:9/x", DigestSent, SubscriberCreated, DigestSent)
	if !strings.HasPrefix(e.Secret, "whsec_") {
		t.Errorf("created secret %q, want whsec_…", e.Secret)
	}
	if diff := cmp.Diff([]string{SubscriberCreated, DigestSent}, e.Events); diff != "" {
		t.Errorf("events, deduplicated in the list's order (-want +got):\n%s", diff)
	}
	got, err := h.store.Get(ctx, e.ID)
	if err != nil || got.Secret != "" {
		t.Errorf("Get: secret %q, err %v; want it hidden", got.Secret, err)
	}
	rot, err := h.store.RotateSecret(ctx, e.ID)
	if err != nil || rot.Secret == "" || rot.Secret == e.Secret {
		t.Errorf("RotateSecret: %q, %v; want a new secret", rot.Secret, err)
	}
	if err := h.store.Delete(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Get(ctx, e.ID); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("Get after Delete: %v, want not found", err)
	}
}

// A test event goes to its endpoint only, whatever the endpoints want.
func TestSendTest(t *testing.T) {
	h := newHarness(t)
	r := newReceiver(t, 200)
	e := h.endpoint(t, r.URL, LinkClicked)
	r.secret = e.Secret
	h.endpoint(t, r.URL+"/other", LinkClicked)
	id, err := h.store.SendTest(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.round(t)
	hits := r.got()
	if len(hits) != 1 || hits[0].ID != id || hits[0].Body["type"] != TestEvent || !hits[0].Verified {
		t.Errorf("hits %+v, want one verified %s with id %s", hits, TestEvent, id)
	}
}
