package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The admin's CSV download starts with the UTF-8 byte-order mark, so that
// Excel opens a double-clicked file as UTF-8: without it, "Renée" showed
// as "RenÃ©e". The import reads the download back as it was: the mark
// skipped, the email column's header recognised, the accents kept.
func TestAdminExportHasBOMAndImportsBack(t *testing.T) {
	src := newAdminSubEnv(t)
	ctx := context.Background()
	if _, err := src.store.Create(ctx, &subscribers.NewSubscriber{Email: "renee@example.com", Name: "Renée Dubois",
		Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	file := exportOK(t, src.a, "/admin/subscribers/export")
	if !strings.HasPrefix(file, "\uFEFFemail,name,lists,") {
		t.Fatalf("the download starts %q, want the byte-order mark, then the header", file[:min(len(file), 24)])
	}
	if !strings.Contains(file, "Renée Dubois") {
		t.Errorf("the download lacks the name as UTF-8:\n%s", file)
	}

	dst := newAdminSubEnv(t)
	report := dst.importReport(file, url.Values{"confirmed": {"on"}})
	for _, want := range []string{`<div class="stat">1</div>Added`, `<div class="stat">0</div>Invalid`} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %s:\n%s", want, report)
		}
	}
	if strings.Contains(report, "Not imported") || strings.Contains(report, "Import stopped") {
		t.Errorf("the header was not read as the export's:\n%s", report)
	}
	sub := dst.byEmail("renee@example.com")
	if sub == nil || sub.Name != "Renée Dubois" || len(sub.Lists) != 1 || sub.Lists[0] != "daily-news" {
		t.Errorf("imported %+v, want Renée Dubois on daily-news", sub)
	}
}
