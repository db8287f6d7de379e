package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// formTime is the form of a datetime-local field, read in the zone its
// form names.
const formTime = "2006-01-02T15:04"

// An articleForm is what the admin's article form posts: every field is
// sent, so every field is set, and the ticked lists are the article's
// whole membership. It becomes the same articles.Patch the API takes.
type articleForm struct {
	Title, URL, Summary, Body, Author, ImageURL, ImageAlt string
	ImageWidth, ImageHeight                               string // pixels as typed; empty for unknown
	PublishedAt                                           string // as typed, formTime in Zone
	// Zone is the IANA name of the zone PublishedAt is shown and read
	// in (articleZone), which the form names and posts back: ticking
	// other lists does not change how the time typed is read. A form
	// without one (from before it had one) is read in UTC, as it was.
	Zone string
	// Kept is the time stored (keptInstant): PublishedAt saved as shown
	// keeps it, its seconds and the first of a time that happens twice
	// included. "" on a new article's form.
	Kept  string
	Lists []string
}

func articleFormOf(a *articles.Article, loc *time.Location) *articleForm {
	return &articleForm{Title: a.Title, URL: a.URL, Summary: a.Summary, Body: a.Body, Author: a.Author, ImageURL: a.ImageURL,
		ImageAlt: a.ImageAlt, ImageWidth: formPixels(a.ImageWidth), ImageHeight: formPixels(a.ImageHeight),
		PublishedAt: a.PublishedAt.In(loc).Format(formTime), Zone: loc.String(), Kept: keptInstant(a.PublishedAt), Lists: a.Lists}
}

// articleZone is the zone the admin shows an article's time in: the
// one its lists share, as the digests that take it say their times; for
// an article on no list, the one every list shares; else, lists in
// several zones, UTC. Each time shown names its zone.
func (x listIndex) articleZone(slugs []string) *time.Location {
	for _, slug := range slugs {
		if _, ok := x[slug]; ok {
			return x.zone(slugs)
		}
	}
	all := make([]string, 0, len(x))
	for slug := range x {
		all = append(all, slug)
	}
	return x.zone(all)
}

func articleFormFrom(r *http.Request) *articleForm {
	f := r.PostForm
	return &articleForm{Title: f.Get("title"), URL: f.Get("url"), Summary: f.Get("summary"), Body: f.Get("body"),
		Author: f.Get("author"), ImageURL: f.Get("image_url"), ImageAlt: f.Get("image_alt"),
		ImageWidth: strings.TrimSpace(f.Get("image_width")), ImageHeight: strings.TrimSpace(f.Get("image_height")),
		PublishedAt: strings.TrimSpace(f.Get("published_at")), Zone: f.Get("published_zone"), Kept: f.Get("published_kept"),
		Lists: f["lists"]}
}

// location is the zone the form's time is read in: Zone, or UTC for a
// form that names none or one unknown.
func (f *articleForm) location() *time.Location {
	if loc, err := loadZone(f.Zone); err == nil {
		return loc
	}
	return time.UTC
}

// formPixels is a stored side of an image as the form shows it: empty
// when unknown.
func formPixels(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// pixels reads a side of an image as typed: empty is 0, unknown. What is
// not a whole number is -1, which articles refuses with the message it
// gives any side out of range, so the form says what the API says.
func pixels(s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// article is the form's fields as an article, to check.
func (f *articleForm) article() *articles.Article {
	return &articles.Article{Title: f.Title, URL: f.URL, Summary: f.Summary, Body: f.Body, Author: f.Author,
		ImageURL: f.ImageURL, ImageAlt: f.ImageAlt, ImageWidth: pixels(f.ImageWidth), ImageHeight: pixels(f.ImageHeight)}
}

// patch is the form as a change to the article, or the reason its date
// is not one an article takes (articles.EarliestPublished), in the form's
// words.
func (f *articleForm) patch() (*articles.Patch, error) {
	loc := f.location()
	at, err := parseLocal(formTime, f.PublishedAt, loc)
	skipped := err == nil && at.In(loc).Format(formTime) != f.PublishedAt
	if err != nil || skipped || at.Before(articles.EarliestPublished) {
		// Say what else is wrong too, as a save would.
		fields := bulletin.ErrorFields(f.article().Validate())
		if fields == nil {
			fields = map[string]string{}
		}
		// A date that does not exist (30 February) is said as the API
		// says it, not taken for one before 1900.
		example := "like 2026-12-01T09:00 (" + loc.String() + ")"
		fields["published_at"] = "give a date and time from 1900 on, " + example
		if why := formTimeProblem(f.PublishedAt, example); err != nil && why != "" {
			fields["published_at"] = why
		} else if skipped {
			// 02:30 on the night clocks go forward does not exist; Go
			// would quietly take 03:30. Said as the campaign form says it.
			fields["published_at"] = "there is no " + strings.Replace(f.PublishedAt, "T", " ", 1) + " in " + loc.String() + ": the clocks go forward then; choose another time"
		}
		return nil, bulletin.Invalid(fields)
	}
	// The time as the form showed it is the time stored, to the second.
	at = keptOr(at, f.Kept, f.PublishedAt, loc)
	lists := f.Lists
	if lists == nil {
		lists = []string{}
	}
	width, height := pixels(f.ImageWidth), pixels(f.ImageHeight)
	return &articles.Patch{Title: &f.Title, URL: &f.URL, Summary: &f.Summary, Body: &f.Body, Author: &f.Author,
		ImageURL: &f.ImageURL, ImageAlt: &f.ImageAlt, ImageWidth: &width, ImageHeight: &height, PublishedAt: &at, Lists: &lists}, nil
}

// Has reports whether the form ticks list slug.
func (f *articleForm) Has(slug string) bool { return slices.Contains(f.Lists, slug) }

// An articleFormPage is one article's edit page.
type articleFormPage struct {
	adminPage
	ID    int64
	Title string // the stored title, the page's heading, whatever was typed
	Form  *articleForm
	// UTC is the stored time in UTC, said under the field when it shows
	// another zone: of two 02:30s the night clocks go back, it tells
	// which. "" on a form posted back.
	UTC    string
	Lists  []*subscribers.List
	Errors map[string]string // by field
	Error  string
	// Taken is the article that has the URL typed, when that refused
	// the form: the page names it by its title, linked to its own page.
	Taken *articles.URLConflict
}

// renderArticleForm shows the edit page with err explained: bad fields
// next to them (422), a URL another article has by the URL (409), an
// unknown article as a 404 and anything else as a 500.
func (s *Server) renderArticleForm(w http.ResponseWriter, r *http.Request, p *articleFormPage, err error) {
	status := http.StatusOK
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.EINVALID, bulletin.ECONFLICT:
		status = http.StatusUnprocessableEntity
		if bulletin.ErrorCode(err) == bulletin.ECONFLICT {
			status = http.StatusConflict
		}
		p.Errors, p.Error = sentences(bulletin.ErrorFields(err)), refusal(err)
		errors.As(err, &p.Taken)
	default:
		s.adminFailed(w, r, err)
		return
	}
	lists, lerr := s.Subscribers.Lists(r.Context())
	if lerr != nil {
		s.adminError(w, r, lerr)
		return
	}
	p.Lists = lists
	s.renderAdmin(w, r, status, "admin_article", p)
}
