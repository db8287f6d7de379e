package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/templates"
)

// An Archiver lists the campaigns and digests sent to public lists.
type Archiver interface {
	Archive(ctx context.Context, before int64, limit int) ([]*campaigns.Issue, int64, error)
	ArchiveIssue(ctx context.Context, id int64) (*campaigns.Issue, error)
	InArchive(ctx context.Context, id int64) (bool, error)
}

var _ Archiver = (*campaigns.Store)(nil)

// archiveData is the data of pages/archive.html.
type archiveData struct {
	Issues []archivedIssue
	Next   int64
	// Older is true on a page of older issues (?before=), which links
	// back to the newest and, when it has none, says there are no older
	// ones rather than that nothing was ever sent.
	Older bool
	// Signup is whether the page offers the signup form: only when a
	// reader can sign up (signupOpen).
	Signup bool
}

// An archivedIssue is an issue with the lang its subject and body are
// marked with on the archive's pages.
type archivedIssue struct {
	*campaigns.Issue
	// Lang is the language of the issue's own words, its subject and
	// body, when that is not English, else "" (see issueLang).
	Lang string
	// Date is the day the issue went out, in its zone (issueZone): "5
	// December 2026".
	Date string
}

// archived is issue is with what the archive's pages say of it.
func (s *Server) archived(is *campaigns.Issue) archivedIssue {
	return archivedIssue{Issue: is, Lang: s.issueLang(is), Date: is.SentAt.In(issueZone(is)).Format("2 January 2006")}
}

// issueZone is the time zone an issue's date is said in on the archive's
// pages, as its mail and the admin say it: a digest's is its list's zone,
// the one its masthead dates its stories in (a story out at 23:52 in
// Honolulu is of that day there, not of the next one in UTC); a
// campaign's, which its mail dates by no word of its own, the zone its
// editor scheduled it in when it went at that time, else the zone its
// lists share, else UTC, as the admin's campaign pages date it. An
// unknown zone is UTC, as for the schedule.
func issueZone(is *campaigns.Issue) *time.Location {
	if is.SendZone != "" {
		if loc, err := loadZone(is.SendZone); err == nil {
			return loc
		}
	}
	if len(is.Zones) == 1 {
		if loc, err := loadZone(is.Zones[0]); err == nil {
			return loc
		}
	}
	return time.UTC
}

// issueData is the data of pages/archive_issue.html.
type issueData struct {
	archivedIssue
	Body template.HTML
	// SubscribeURL is the signup form with the issue's lists ticked, for
	// a reader who wants the next one; "" when no signup is open.
	SubscribeURL string
}

// archiveIndex lists archived issues, newest sent first, ?before=ID for
// those listed after issue ID.
func (s *Server) archiveIndex(w http.ResponseWriter, r *http.Request) {
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.messagePage(w, r, http.StatusBadRequest, "No such page", "Go back to the archive and follow its links.")
			return
		}
		before = n
	}
	issues, next, err := s.Archive.Archive(r.Context(), before, 30)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		// No link of ours names a campaign that never went out.
		s.messagePage(w, r, http.StatusNotFound, "No such page", "Go back to the archive and follow its links.")
		return
	} else if err != nil {
		s.Log.Error("archive", "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong", "The archive cannot be shown right now. Try again in a minute.")
		return
	}
	d := archiveData{Issues: make([]archivedIssue, len(issues)), Next: next, Older: before != 0, Signup: s.signupOpen(r)}
	for i, is := range issues {
		d.Issues[i] = s.archived(is)
	}
	s.renderPage(w, r, http.StatusOK, "archive", d)
}

// issueLang is the lang that marks the publisher's words of issue is on
// the archive's pages: the language it was sent in, kept with it, when
// that is not English, else "" (templates.Brand.ContentLang), so that a
// setting changed since does not mark an old issue with a language it
// was not written in. An issue whose language was not kept is read in
// the language set now, as the pages read every issue before. The
// settings are cached in memory: asking for each issue costs nothing.
func (s *Server) issueLang(is *campaigns.Issue) string {
	if is.Language != "" {
		return templates.Brand{Language: is.Language}.ContentLang()
	}
	if s.Settings == nil {
		return templates.DefaultBrand().ContentLang()
	}
	return s.brand().ContentLang()
}

// archiveIssue shows one archived issue in the site layout, at its one
// address: an id written otherwise (01, +1) is redirected there.
func (s *Server) archiveIssue(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		s.messagePageBack(w, r, http.StatusNotFound, "Not in the archive", "There is no such issue.", "/archive", "See every issue in the archive")
		return
	}
	is, err := s.Archive.ArchiveIssue(r.Context(), id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		s.messagePageBack(w, r, http.StatusNotFound, "Not in the archive", "There is no such issue.", "/archive", "See every issue in the archive")
		return
	} else if err != nil {
		s.Log.Error("archive issue", "id", id, "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong", "This issue cannot be shown right now. Try again in a minute.")
		return
	}
	// An issue has one address: /archive/01 or /archive/+1, which a shared
	// link may have become, is redirected to /archive/1 rather than shown
	// as a second page of it (the API refuses such an id outright); after
	// the lookup, so that no such issue is a 404 at once, as /archive/1's.
	if canon := strconv.FormatInt(id, 10); raw != canon {
		to := "/archive/" + canon
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return
	}
	// The body was sanitised when the campaign was rendered, or built from
	// our own digest template. Its images are on other hosts: hence
	// renderMailPage.
	s.renderMailPage(w, r, http.StatusOK, "archive_issue", issueData{archivedIssue: s.archived(is),
		Body: template.HTML(is.BodyHTML), SubscribeURL: s.subscribeURLFor(r, is)})
}

// subscribeURLFor is the signup form for a reader of issue is, with the
// public lists it went to ticked: the next issue like it goes to them.
// An issue sent to several lists ticks them all, as its readers were on
// any of them; the reader unticks what they do not want, on a form that
// shows each list's name and description. The issue names its lists by
// name, which two lists may share: such a name ticks neither, rather
// than a list the issue did not go to. "" when no signup is open.
func (s *Server) subscribeURLFor(r *http.Request, is *campaigns.Issue) string {
	lists, open := s.publicListsIfOpen(r)
	if !open {
		return ""
	}
	bySlug := map[string][]string{} // slugs by name
	for _, l := range lists {
		bySlug[l.Name] = append(bySlug[l.Name], l.Slug)
	}
	q := url.Values{}
	for _, name := range is.Lists {
		if slugs := bySlug[name]; len(slugs) == 1 {
			q.Add("list", slugs[0])
		}
	}
	if len(q) == 0 {
		return "/subscribe"
	}
	return "/subscribe?" + q.Encode()
}
