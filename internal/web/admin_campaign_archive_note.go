package web

import (
	"regexp"
	"strings"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/mailer"
)

// An archiveNote tells the editor of a campaign to a public list that
// its copy in the public archive shows {{ .Email }} empty: the archive
// renders the body for no reader in particular (campaigns.publicBody),
// with no address and no name. A name has its fallback there, and a
// bare one the note on it (bareNameNote); an address has no fallback, so
// "Your address is {{ .Email }}." reads "Your address is ." to anyone.
// It quotes the body's first such line as the archive shows it
// (Archived) with its number, and names the public lists. Editable
// decides the advice, as for bareNameNote.
type archiveNote struct {
	Line     int
	Archived string
	Lists    []listLabel
	Editable bool
}

// mayWriteEmail matches a line that may write {{ .Email }}; rendering
// it tells (writesEmail), so that "{{ "{{" }} .Email }}", braces written
// as text, does not count.
var mayWriteEmail = regexp.MustCompile(`\{\{[^}\n]*\bEmail\b`)

// archiveVisitor is who the archive renders a body for: no one
// (campaigns.archiveReader). visitorWithEmail is the same reader with an
// address: a line that reads differently for the two writes it.
var (
	archiveVisitor   = mailer.Personal{}
	visitorWithEmail = mailer.Personal{Email: campaigns.SampleReader.Email}
)

// archiveNoteOf is the note on body, a campaign's to the lists slugs (in
// x), nil when the server has no public archive, none of the lists is
// public, or the body writes no address.
func (s *Server) archiveNoteOf(body string, x listIndex, slugs []string, editable bool) *archiveNote {
	if s.Archive == nil || !servesGET(s.mux, "/archive") || !strings.Contains(body, "Email") {
		return nil
	}
	var public []string
	for _, slug := range slugs {
		if l, ok := x[slug]; ok && l.Public {
			public = append(public, slug)
		}
	}
	if len(public) == 0 {
		return nil
	}
	for i, line := range strings.Split(body, "\n") {
		if archived, ok := writesEmail(line); ok {
			return &archiveNote{Line: i + 1, Archived: firstLine(archived), Lists: x.labels(public), Editable: editable}
		}
	}
	return nil
}

// writesEmail reports whether line writes the reader's address, and the
// line's text as the archive shows it.
func writesEmail(line string) (string, bool) {
	if !mayWriteEmail.MatchString(line) {
		return "", false
	}
	html, text, err := campaigns.RenderFor(line, archiveVisitor)
	if err != nil {
		return "", false
	}
	other, _, err := campaigns.RenderFor(line, visitorWithEmail)
	return text, err == nil && other != html
}

// notedArchive is the archive note of campaign c on its page: while it
// can still be sent, and once the archive shows it (in, or as it goes
// out); nil for one that will never be there.
func (s *Server) notedArchive(c *campaigns.Campaign, x listIndex, editable, in bool) *archiveNote {
	going := c.Status == campaigns.StatusSending || c.Status == campaigns.StatusPaused
	if !editable && !in && !going {
		return nil
	}
	return s.archiveNoteOf(c.Body, x, c.Lists, editable)
}
