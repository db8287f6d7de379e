package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// Each table of an import's report has an Address column: a skipped line
// shows its address, an invalid one its email cell as the file has it,
// escaped; each count shows once; a note names the list and the day as the
// rest of the admin does.
func TestAdminSubscriberImportReportSaysWhose(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news", "weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPreferences(ctx, ann.ID, subscribers.Preferences{Name: "Ann", Frequency: "daily", Lists: []string{"weekend-culture"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`UPDATE subscriptions SET updated_at = '2026-12-02 09:00:00+00:00' WHERE subscriber_id = ? AND status = 'unsubscribed'`, ann.ID); err != nil {
		t.Fatal(err)
	}
	file := "email,name,lists\n" +
		"new@example.com,New,daily-news\n" + // 2: added
		"<b>bold</b>,Bad,daily-news\n" + // 3: invalid
		"new@example.com,Again,daily-news\n" + // 4: skipped
		"ann@example.com,Ann Lee,daily-news;weekend-culture\n" // 5: updated, with a note
	body := e.importReport(file, url.Values{"overwrite_names": {"on"}}) // ann's new name updates her
	for _, re := range []string{
		`(?s)Invalid lines.*<th>Address \(as in the file\)</th>.*Line 3</td><td[^>]*>&lt;b&gt;bold&lt;/b&gt;</td>`,
		`(?s)Skipped lines.*<th>Address</th>.*Line 4</td><td[^>]*>new@example.com</td><td>repeats line 2; its name “Again” was not used \(line 2&#39;s is kept\)</td>`,
		`(?s)with a note.*<th>Address</th>.*Line 5</td><td[^>]*>ann@example.com</td><td>left “Daily News” on 2 December 2026; not rejoined`,
	} {
		if !regexp.MustCompile(re).MatchString(body) {
			t.Errorf("the report does not match %s:\n%s", re, body)
		}
	}
	if strings.Contains(body, "<b>bold") {
		t.Error("an invalid line's cell is shown unescaped")
	}
	if strings.Contains(body, "Added: ") {
		t.Errorf("the report repeats its counts:\n%s", body)
	}
}

// The note on pending readers counts in the singular for one.
func TestAdminSubscriberImportCountsOnePendingReader(t *testing.T) {
	e := newAdminSubEnv(t)
	body := e.importReport("email,lists,Phone\nsolo@example.com,daily-news,555\n", nil)
	if !strings.Contains(body, "Not imported: the import does not read the column “Phone”.") {
		t.Errorf("the report does not name the column it did not read:\n%s", body)
	}
	if !strings.Contains(body, "1 new reader is pending") {
		t.Errorf("the report does not say one reader is pending:\n%s", body)
	}
	if !strings.Contains(body, "1 confirmation mail is on its way") {
		t.Errorf("the report miscounts the confirmation mail:\n%s", body)
	}
}
