package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The admin's import keeps a stored reader's name by default, counting a
// line that changes nothing else as skipped and saying on it which name
// was kept and how to replace it; it fills in the name of a reader who
// has none. Ticking “Replace stored names” replaces it.
func TestAdminImportKeepsStoredNames(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Name: "Ann Lee", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	bo, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "bo@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	name := func(id int64) string {
		t.Helper()
		sub, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sub.Name
	}
	if _, form := e.a.get("/admin/subscribers/import"); !strings.Contains(form, `<input type="checkbox" name="overwrite_names" value="on">`) {
		t.Errorf("the import form has no unticked “Replace stored names” box:\n%s", form)
	}
	file := "email,name,lists\nann@example.com,Ann Smith,daily-news\nbo@example.com,Bo Chen,daily-news\n"
	body := html.UnescapeString(e.importReport(file, nil))
	for _, want := range []string{
		`<div class="stat">1</div>Updated`, `<div class="stat">1</div>Skipped`,
		"name not changed: the file says “Ann Smith”, the reader's stored name “Ann Lee” is kept; tick “Replace stored names” to replace them",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q:\n%s", want, body)
		}
	}
	if got := name(ann.ID); got != "Ann Lee" {
		t.Errorf("ann's name after the import = %q, want Ann Lee kept", got)
	}
	if got := name(bo.ID); got != "Bo Chen" {
		t.Errorf("bo's name after the import = %q, want Bo Chen, the file's, as she had none", got)
	}

	body = html.UnescapeString(e.importReport(file, url.Values{"overwrite_names": {"on"}}))
	if !strings.Contains(body, `<div class="stat">1</div>Updated`) || strings.Contains(body, "name not changed") {
		t.Errorf("the import with “Replace stored names” ticked reports:\n%s", body)
	}
	if got := name(ann.ID); got != "Ann Smith" {
		t.Errorf("ann's name after the import with “Replace stored names” = %q, want Ann Smith", got)
	}
}

// A form sent back to be fixed keeps “Replace stored names” ticked.
func TestAdminImportKeepsOverwriteNamesTicked(t *testing.T) {
	e := newAdminSubEnv(t)
	resp, body := e.upload("email,name\nann@example.com,Ann\n", url.Values{"overwrite_names": {"on"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload without a list = %d, want 422:\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `<input type="checkbox" name="overwrite_names" value="on" checked>`) {
		t.Errorf("the form sent back does not keep the box ticked:\n%s", body)
	}
}
