package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// archiveNoteServer is a logged-in admin on a server with campaigns and
// the public archive, its list "news" public and "staff" not, a
// confirmed reader on each, with its database and API token.
func archiveNoteServer(t *testing.T) (*adminClient, *sqlite.DB, string) {
	t.Helper()
	ctx := context.Background()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		signer := subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
		s.SubscriberDeps = SubscriberDeps{Pages: s.Templates, Signer: signer, Signups: subscribers.NewSignups(s.Subscribers, dropQueue{}, s.Log)}
		s.Campaigns = testCampaigns(s, d, q, out, []byte("0123456789abcdef0123456789abcdef"))
		s.Archive = s.Campaigns.Store
	})
	for _, l := range []subscribers.List{{Slug: "news", Name: "Harbour News", Public: true}, {Slug: "staff", Name: "Staff"}} {
		if err := s.Subscribers.CreateList(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: l.Slug + "@example.com", Status: "confirmed", Lists: []string{l.Slug}}); err != nil {
			t.Fatal(err)
		}
	}
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	return a, db, token
}

// emailBody writes the reader's address in a sentence and in a link.
const emailBody = `Your address is {{ .Email }}. [Manage](https://harbour.example/u?e={{ .Email }})`

// archiveNoteOn is the archive note of a page, "" when it has none.
func archiveNoteOn(body string) string {
	i := strings.Index(body, `id="archive-email"`)
	if i < 0 {
		return ""
	}
	return body[i : i+strings.Index(body[i:], "</p>")]
}

// The public archive renders a campaign for no reader, so {{ .Email }}
// is empty there: "Your address is ." and a link to "…?e=". The pages an
// editor reads before sending such a campaign to a public list say so,
// quoting the line as the archive shows it; a campaign to no public list,
// or writing no address, says nothing of it.
func TestCampaignPagesSayTheArchiveShowsTheAddressEmpty(t *testing.T) {
	a, db, token := archiveNoteServer(t)
	page, _ := createCampaign(t, a, token, `{"subject":"Your settings","body":"`+emailBody+`","lists":["news","staff"]}`)
	const (
		lists  = `as its list <strong title="news">Harbour News</strong> is public`
		quoted = `Line 1 of the body reads “Your address is . Manage (https://harbour.example/u?e=)” there.`
		advice = `Leave <code>{{ .Email }}</code> out if that copy should read well, or keep it if an empty address there does no harm.`
	)
	csrf := a.csrfOf("/admin/campaigns/new")
	preview := url.Values{"csrf": {csrf}, "action": {"preview"}, "subject": {"Your settings"}, "body": {emailBody}, "lists": {"news", "staff"}}
	bodies := map[string]string{}
	_, bodies["campaign page"] = a.get(page)
	_, bodies["send page"] = a.get(page + "/send")
	_, bodies["new form's preview"] = a.postBody("/admin/campaigns", preview)
	_, bodies["edit form's preview"] = a.postBody(page+"/edit", preview)
	for name, body := range bodies {
		note := archiveNoteOn(body)
		for _, want := range []string{lists, "where the body writes <code>{{ .Email }}</code>, it shows nothing.", quoted, advice} {
			if !strings.Contains(note, want) {
				t.Errorf("the %s's note on the archive lacks %s:\n%s", name, want, note)
			}
		}
	}

	// Sent, it is in the archive as the note says, and can no longer be
	// changed.
	id := strings.TrimPrefix(page, "/admin/campaigns/")
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if resp, body := a.get("/archive/" + id); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your address is . <a") || !strings.Contains(body, `href="https://harbour.example/u?e="`) {
		t.Errorf("GET /archive/%s = %d, not the empty address the note says:\n%s", id, resp.StatusCode, body)
	}
	_, body := a.get(page)
	note := archiveNoteOn(body)
	if !strings.Contains(note, quoted) || !strings.Contains(note, "This mail can no longer be changed") || strings.Contains(note, advice) {
		t.Errorf("the sent campaign's note on the archive reads:\n%s", note)
	}

	// No note for a campaign to no public list, or writing no address.
	for _, c := range []string{
		`{"subject":"Staff","body":"` + emailBody + `","lists":["staff"]}`,
		`{"subject":"Plain","body":"Hi {{ .Name | default \"there\" }}, the quay reopens.","lists":["news"]}`,
		`{"subject":"Braces","body":"Write {{ \"{{\" }} .Email }} for the address.","lists":["news"]}`,
	} {
		page, _ := createCampaign(t, a, token, c)
		for _, p := range []string{page, page + "/send"} {
			if _, body := a.get(p); archiveNoteOn(body) != "" {
				t.Errorf("%s of %s has a note on the archive:\n%s", p, c, archiveNoteOn(body))
			}
		}
	}
	preview.Set("lists", "staff")
	if _, body := a.postBody("/admin/campaigns", preview); archiveNoteOn(body) != "" || !strings.Contains(body, "<h2>Preview</h2>") {
		t.Errorf("the preview of a campaign to no public list has a note on the archive, or no preview:\n%s", archiveNoteOn(body))
	}
}
