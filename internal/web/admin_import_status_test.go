package web

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The admin's import applies a stored reader's name (the form's “Replace
// stored names” ticked) when the line says unsubscribed, joins them to
// none of its lists (which the line says they left), counts the line as
// updated, and notes both.
func TestAdminImportUpdatesReaderWhoseLineSaysUnsubscribed(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	r, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "reader1@example.org", Name: "Ann", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	body := e.importReport("email,name,lists,status,attributes\nreader1@example.org,Ann Updated,weekend-culture,unsubscribed,\n",
		url.Values{"overwrite_names": {"on"}})
	for _, want := range []string{
		`<div class="stat">0</div>Added`, `<div class="stat">1</div>Updated`, `<div class="stat">0</div>Skipped`,
		"Imported lines with a note",
		"status not changed: the file says unsubscribed, but an import leaves a stored reader's status as it is (still confirmed); change it on their page; not added to “Weekend Culture”, which the line says they left",
	} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the report lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Skipped lines") {
		t.Errorf("the line is reported skipped:\n%s", body)
	}
	got, err := e.store.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ann Updated" || got.Status != subscribers.StatusConfirmed || strings.Join(got.Lists, ",") != "daily-news" {
		t.Errorf("reader after the import: %q %s on %v, want Ann Updated, confirmed, on daily-news only", got.Name, got.Status, got.Lists)
	}
}
