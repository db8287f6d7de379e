package subscribers

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A private list an import asked a confirmed reader to confirm is on
// their preferences page, waiting for their click, as a public one is:
// the page offers the lists a reader is on or asked for, and the mail
// they were sent names it. Ticked and saved it joins at once, as the
// click would. A reader no one asked for it still does not see it.
func TestPreferencesOfShowsAPrivateListAnImportAsked(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	bo, err := e.store.Create(ctx, &NewSubscriber{Email: "bo@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.importRun("email,lists\nann@example.com,staff\n", ImportOptions{}); rep.Asked != 1 {
		t.Fatalf("report %+v, want Ann asked to confirm Staff", rep)
	}

	want := map[string]bool{"news": false, "sport": false, "staff": true}
	if diff := cmp.Diff(want, waitingOf(t, e.store, ann.ID)); diff != "" {
		t.Errorf("Ann, asked by an import to confirm the private Staff (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"news": false, "sport": false}, waitingOf(t, e.store, bo.ID)); diff != "" {
		t.Errorf("Bo, asked for nothing, sees a private list (-want +got):\n%s", diff)
	}

	if err := e.store.SetPreferences(ctx, ann.ID, Preferences{Frequency: "daily", Lists: []string{"news", "staff"},
		Shown: []string{"news", "sport", "staff"}}); err != nil {
		t.Fatal(err)
	}
	if got := readRow(t, e.store, ann.ID); got.Subscriptions != "news:active staff:active" {
		t.Errorf("Staff ticked and saved: %+v, want Ann on news and staff", got)
	}
	if got := waitingOf(t, e.store, ann.ID); !cmp.Equal(got, map[string]bool{"news": false, "sport": false, "staff": false}) {
		t.Errorf("Staff, joined, still waits or is gone: %v", got)
	}
}
