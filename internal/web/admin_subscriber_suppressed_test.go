package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader whose address, or whose domain, is on the suppression list
// says so on their page, with the reason, the day and a way to the entry;
// the subscribers list marks them. A reader not suppressed shows neither.
func TestAdminSubscriberShowsSuppression(t *testing.T) {
	e := newAdminSubEnv(t)
	e.srv.Events = events.NewStore(e.db)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, addr := range []string{"robin@example.com", "kai@spamtrap.test", "ann@example.com"} {
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: addr, Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[addr] = sub.ID
	}
	if err := e.srv.Events.Suppress(ctx, "Robin@example.com", events.ReasonComplaint, "ses"); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Events.Suppress(ctx, "spamtrap.test", events.ReasonManual, "admin"); err != nil {
		t.Fatal(err)
	}

	for addr, want := range map[string]string{
		"robin@example.com": `On the suppression list</strong> \(complaint, since \d+ \w+ \d{4}\): gets no mail.*href="/admin/suppressions\?q=robin%40example.com"`,
		"kai@spamtrap.test": `Their domain spamtrap.test is on the suppression list</strong> \(manual, since \d+ \w+ \d{4}\): gets no mail.*href="/admin/suppressions\?q=spamtrap.test"`,
	} {
		_, body := e.a.get(fmt.Sprintf("/admin/subscribers/%d", ids[addr]))
		if !regexp.MustCompile(want).MatchString(body) {
			t.Errorf("%s's page does not match %s:\n%s", addr, want, body)
		}
	}
	if _, body := e.a.get(fmt.Sprintf("/admin/subscribers/%d", ids["ann@example.com"])); strings.Contains(body, "suppression list") {
		t.Errorf("ann's page says she is suppressed:\n%s", body)
	}

	_, body := e.a.get("/admin/subscribers")
	for addr, want := range map[string]bool{"robin@example.com": true, "kai@spamtrap.test": true, "ann@example.com": false} {
		row := regexp.MustCompile(`<tr><td data-label="Email"><a href="/admin/subscribers/\d+">` + regexp.QuoteMeta(addr) + `</a>.*?</tr>`).FindString(body)
		if row == "" {
			t.Fatalf("no row for %s:\n%s", addr, body)
		}
		if got := strings.Contains(row, ">suppressed</span>"); got != want {
			t.Errorf("%s marked suppressed: %t, want %t: %s", addr, got, want, row)
		}
	}
}
