package web

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// While mail goes to the outbox the dashboard says, above all, that it is
// not being sent; a server with SMTP does not.
func TestDashboardSaysMailGoesToTheOutbox(t *testing.T) {
	for _, outbox := range []bool{true, false} {
		_, a := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) {
			if outbox {
				out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
				if err != nil {
					t.Fatal(err)
				}
				s.Outbox = out
			}
		})
		a.login("correct horse battery")
		_, page := a.get("/admin")
		if got := strings.Contains(page, "Mail is not being sent."); got != outbox {
			t.Errorf("outbox %v: the dashboard says mail is not being sent: %v", outbox, got)
		}
	}
}

// A new install's dashboard lists what it still lacks, each step marked
// done as it is, and the list goes once all are.
func TestDashboardGettingStartedSteps(t *testing.T) {
	var store *settings.Store
	s, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		store = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.Settings = store
	})
	ctx := context.Background()
	a.login("correct horse battery")
	_, page := a.get("/admin")
	if !strings.Contains(page, "Getting started") || strings.Contains(page, "Done.") {
		t.Fatalf("a new install's dashboard has no list of steps, or marks one done:\n%s", page)
	}
	if err := store.Save(ctx, &settings.Update{Publication: settings.Publication{PostalAddress: "1 Quay Street"}}); err != nil {
		t.Fatal(err)
	}
	_, page = a.get("/admin")
	if !strings.Contains(page, "every mail's footer. <strong>Done.</strong>") {
		t.Errorf("the postal address step is not marked done once saved")
	}
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "daily", Name: "Daily", Public: true, Digest: "daily", DigestHour: 8, DigestWeekday: "monday", Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily"}}); err != nil {
		t.Fatal(err)
	}
	_, page = a.get("/admin")
	if strings.Contains(page, "Getting started") {
		t.Errorf("the dashboard still lists steps once all are done:\n%s", page)
	}
}
