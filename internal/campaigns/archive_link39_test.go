package campaigns_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// A campaign to a public list links, in both parts of its mail, to its
// page in the archive ("View in your browser"), which shows from the
// moment it starts going out, before the archive lists it; one to a
// private list only has no page and no link.
func TestMailLinksToItsArchivePage(t *testing.T) {
	ctx := context.Background()
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	c := &campaigns.Campaign{Subject: "Winter", Lists: []string{"harbour"}, Body: "The quay is open."}
	e.sendCampaign(t, c)
	pm := mailtest.Parse(t, e.send(t))
	page := fmt.Sprintf("%s/archive/%d", goldenBaseURL, c.ID)
	if want := `<a href="` + page + `" style="color:#4b5563;">View in your browser</a>`; !strings.Contains(pm.HTML, want) {
		t.Errorf("HTML part lacks %s:\n%s", want, pm.HTML)
	}
	if want := "Read it in your browser:\n  " + page + "\n"; !strings.Contains(strings.ReplaceAll(pm.Text, "\r\n", "\n"), want) {
		t.Errorf("text part lacks %q:\n%s", want, pm.Text)
	}

	// Still sending: its page shows, the archive's list waits for the end.
	e.exec(t, `UPDATE campaigns SET status = 'sending' WHERE id = ?`, c.ID)
	is, err := e.svc.Store.ArchiveIssue(ctx, c.ID)
	if err != nil || is.Subject != "Winter" {
		t.Fatalf("page of the campaign going out: %+v, %v", is, err)
	}
	listed := func() bool {
		issues, _, err := e.svc.Store.Archive(ctx, 0, 30)
		if err != nil {
			t.Fatal(err)
		}
		return len(issues) > 0
	}
	if listed() {
		t.Error("the archive lists a campaign still going out")
	}
	e.exec(t, `UPDATE campaigns SET status = 'paused' WHERE id = ?`, c.ID)
	if _, err := e.svc.Store.ArchiveIssue(ctx, c.ID); err != nil {
		t.Errorf("page of a paused campaign: %v", err)
	}
	e.exec(t, `UPDATE campaigns SET status = 'sent' WHERE id = ?`, c.ID)
	if !listed() {
		t.Error("the archive does not list the campaign sent")
	}

	// A draft, even to a public list, has no page.
	draft := &campaigns.Campaign{Subject: "Spring", Lists: []string{"harbour"}, Body: "Soon."}
	if err := e.svc.Schedule(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Store.ArchiveIssue(ctx, draft.ID); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("page of a draft: %v, want not found", err)
	}
	// Its preview (and test send) link to the archive's first page, where
	// it will be: its own page is not found until it starts.
	html, err := e.svc.PreviewMail(ctx, draft.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<a href="` + goldenBaseURL + `/archive" style="color:#4b5563;">View in your browser</a>`; !strings.Contains(html, want) {
		t.Errorf("the draft's preview lacks %s:\n%s", want, html)
	}

	// Private lists only: no page, so no link.
	e.exec(t, `UPDATE lists SET public = 0`)
	private := &campaigns.Campaign{Subject: "Members", Lists: []string{"harbour"}, Body: "For members."}
	e.sendCampaign(t, private)
	pm = mailtest.Parse(t, e.send(t))
	if strings.Contains(pm.HTML, "/archive") || strings.Contains(pm.Text, "/archive") || strings.Contains(pm.HTML, "View in your browser") {
		t.Errorf("mail to a private list links to the archive:\n%s\n%s", pm.HTML, pm.Text)
	}
	if _, err := e.svc.Store.ArchiveIssue(ctx, private.ID); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("page of a campaign to a private list: %v, want not found", err)
	}
}

// The preview of a draft not saved yet, which has no page of its own,
// links to the archive's first page when one of its lists is public, and
// nowhere when none is.
func TestDraftPreviewLinksToTheArchive(t *testing.T) {
	ctx := context.Background()
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	e.exec(t, `INSERT INTO lists (slug, name, public, created_at) VALUES ('club', 'Club', 0, '2026-01-01 00:00:00')`)
	for _, tc := range []struct {
		lists []string
		want  bool
	}{{[]string{"harbour"}, true}, {[]string{"club", "harbour"}, true}, {[]string{"club"}, false}} {
		html, err := e.svc.PreviewDraft(ctx, &campaigns.Campaign{Subject: "S", Lists: tc.lists, Body: "b"}, campaigns.SampleReader)
		if err != nil {
			t.Fatal(err)
		}
		link := `<a href="` + goldenBaseURL + `/archive" style="color:#4b5563;">View in your browser</a>`
		if got := strings.Contains(html, link); got != tc.want {
			t.Errorf("lists %v: link to the archive %v, want %v:\n%s", tc.lists, got, tc.want, html)
		}
	}
}
