package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bulletinhq/bulletin/templates"
)

// embedData is the data of pages/embed.html: a form another site can
// paste, posting to this server's /subscribe.
type embedData struct {
	Title  string
	Action string
	Lists  []listOption
	Hidden string // the one list of ?list=, as a hidden field
	// HiddenName is that list's name, which the snippet shows: a reader
	// sees what they join.
	HiddenName string
	// HiddenDescription is that list's description, which the snippet
	// shows under the name as the every-list snippet does beside its box.
	HiddenDescription string
	// Unknown is a ?list= that names no public list (a typo, a private
	// list's slug): the page says the snippet offers every public list
	// instead, rather than let a publisher copy the wrong one unawares.
	Unknown string
	// Slugs are the public lists' slugs, for that message.
	Slugs    []string
	Honeypot string
	// Accent and OnAccent colour the snippet's button: the brand's accent
	// and the text colour that reads on it, each a checked "#rrggbb".
	Accent, OnAccent string
	// EmailID and NameID are the ids of the snippet's fields, its labels'
	// for: bulletin-email and bulletin-name, ended by the slug in a
	// one-list snippet, so that a page can hold the every-list snippet and
	// one-list ones together, each label focusing its own form's field.
	// The every-list snippet keeps the bare ids, which no slug can end
	// (slugs are never empty), and which a page may style already.
	EmailID, NameID string
	// Back and BackLabel lead a logged-in editor back into the admin,
	// whose list pages link here: to the list's page for a ?list= that
	// names one, else to the Lists page. Empty for anyone else, to whom
	// the admin would only show its login.
	Back, BackLabel string
	// Snippet is the form's HTML, the "snippet" template's output, which
	// the page shows as text to copy.
	Snippet string
}

// A partRenderer renders one part of a page alone; *templates.Templates
// is one.
type partRenderer interface {
	PagePart(w io.Writer, name, part string, data any) error
}

// subscribeEmbed shows the snippet to copy and a preview of it.
func (s *Server) subscribeEmbed(w http.ResponseWriter, r *http.Request) {
	lists, err := s.Subscribers.PublicLists(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := embedData{Title: "Embed a signup form", Action: s.publicURL(r) + "/subscribe", Honeypot: honeypotField}
	d.Accent, d.OnAccent = s.embedColours()
	want := strings.TrimSpace(r.URL.Query().Get("list"))
	for _, l := range lists {
		// Slugs match in any case, as the signup form's do.
		if want != "" && strings.EqualFold(l.Slug, want) {
			d.Hidden, d.HiddenName, d.HiddenDescription = l.Slug, l.Name, l.Description
		}
		d.Lists = append(d.Lists, listOption{Slug: l.Slug, Name: l.Name, Description: l.Description, Checked: len(lists) == 1})
		d.Slugs = append(d.Slugs, l.Slug)
	}
	d.EmailID, d.NameID = "bulletin-email", "bulletin-name"
	switch {
	case d.Hidden != "":
		d.Lists = nil
		d.EmailID, d.NameID = d.EmailID+"-"+d.Hidden, d.NameID+"-"+d.Hidden
	case want != "":
		d.Unknown = want
	}
	if s.isEditor(r) {
		d.Back, d.BackLabel = "/admin/lists", "Lists"
		if d.Hidden != "" {
			d.Back, d.BackLabel = "/admin/lists/"+url.PathEscape(d.Hidden), d.HiddenName
		}
	}
	// The snippet to copy is the preview's HTML, made first and then
	// shown as text: executed inside the textarea, the template escaped
	// a list's name and description for the textarea alone, and the
	// copied HTML held them as markup, run on the publisher's page.
	parts, ok := s.Pages.(partRenderer)
	if !ok {
		s.pageError(w, r, errors.New("embed page: the page templates cannot render the snippet alone"))
		return
	}
	var snippet strings.Builder
	if err := parts.PagePart(&snippet, "embed", "snippet", d); err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Snippet = snippet.String()
	s.renderPage(w, r, http.StatusOK, "embed", d)
}

// isEditor reports whether r comes with a live admin session, on a public
// page that requireAdmin does not guard. An error reading the session
// counts as none: the page is shown all the same, without the admin's
// link.
func (s *Server) isEditor(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil || s.Admins == nil {
		return false
	}
	sess, err := s.Admins.Session(r.Context(), c.Value)
	return err == nil && sess != nil
}

// embedColours are the snippet button's background and text colours: the
// accent saved in the settings, or the default one. The snippet is shown
// in a textarea too, where the template escapes it as text and no CSS
// filter applies, so only a colour that is exactly "#rrggbb" is taken:
// the settings check it on save, and this keeps a row written otherwise
// out of another site's page.
func (s *Server) embedColours() (accent, onAccent string) {
	b := templates.DefaultBrand()
	if s.Settings != nil {
		b = s.brand()
	}
	if !hexColour(b.Accent) {
		b.Accent = templates.DefaultAccent
	}
	return b.Accent, b.OnAccent()
}

// hexColour reports whether c is "#" and six hex digits.
func hexColour(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for i := 1; i < len(c); i++ {
		switch ch := c[i]; {
		case '0' <= ch && ch <= '9', 'a' <= ch && ch <= 'f', 'A' <= ch && ch <= 'F':
		default:
			return false
		}
	}
	return true
}
