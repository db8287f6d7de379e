package events_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// An address is suppressed by its own entry or its domain's, in any ASCII
// case; nothing else is.
func TestSuppressed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.store.Suppress(ctx, "Robin@Tidewater.test", events.ReasonManual, "admin"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Suppress(ctx, "spamtrap.test", events.ReasonManual, "admin"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Suppress(ctx, "x@y.test", "dislike", "admin"); err == nil {
		t.Error("Suppress with a made-up reason: nil error")
	}
	for addr, want := range map[string]bool{
		"robin@tidewater.test": true, "ROBIN@TIDEWATER.TEST": true, "anyone@spamtrap.test": true,
		"robin@other.test": false, "kai@tidewater.test": false, "a@sub.spamtrap.test": false,
	} {
		if got, err := e.store.Suppressed(ctx, addr); err != nil || got != want {
			t.Errorf("Suppressed(%s) = %t, %v; want %t", addr, got, err, want)
		}
	}
}

// Only the newest KeepUnparsed mails are kept, each cut to a few KB.
func TestKeepUnparsedTrims(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range events.KeepUnparsed + 5 {
		if err := e.store.Keep(ctx, events.Unparsed{Reason: fmt.Sprint("n", i), Head: strings.Repeat("é", 5000)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.store.UnparsedMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != events.KeepUnparsed || got[0].Reason != fmt.Sprint("n", events.KeepUnparsed+4) || got[len(got)-1].Reason != "n5" {
		t.Fatalf("%d kept, newest %q, oldest %q", len(got), got[0].Reason, got[len(got)-1].Reason)
	}
	if n := len(got[0].Head); n > 4096 || !strings.HasSuffix(got[0].Head, "é") {
		t.Errorf("head of %d bytes, or cut inside a character", n)
	}
}
