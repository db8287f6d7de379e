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

// formTime is the form of a datetime-local field, read as UTC.
const formTime = "2006-01-02T15:04"

// An articleForm is what the admin's article form posts: every field is
// sent, so every field is set, and the ticked lists are the article's
// whole membership. It becomes the same articles.Patch the API takes.
type articleForm struct {
	Title, URL, Summary, Body, Author, ImageURL, ImageAlt string
	ImageWidth, ImageHeight                               string // pixels as typed; empty for unknown
	PublishedAt                                           string // as typed, formTime in UTC
	Lists                                                 []string
}

func articleFormOf(a *articles.Article) *articleForm {
	return &articleForm{Title: a.Title, URL: a.URL, Summary: a.Summary, Body: a.Body, Author: a.Author, ImageURL: a.ImageURL,
		ImageAlt: a.ImageAlt, ImageWidth: formPixels(a.ImageWidth), ImageHeight: formPixels(a.ImageHeight),
		PublishedAt: a.PublishedAt.UTC().Format(formTime), Lists: a.Lists}
}

func articleFormFrom(r *http.Request) *articleForm {
	f := r.PostForm
	return &articleForm{Title: f.Get("title"), URL: f.Get("url"), Summary: f.Get("summary"), Body: f.Get("body"),
		Author: f.Get("author"), ImageURL: f.Get("image_url"), ImageAlt: f.Get("image_alt"),
		ImageWidth: strings.TrimSpace(f.Get("image_width")), ImageHeight: strings.TrimSpace(f.Get("image_height")),
		PublishedAt: strings.TrimSpace(f.Get("published_at")), Lists: f["lists"]}
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
	at, err := time.ParseInLocation(formTime, f.PublishedAt, time.UTC)
	if err != nil || at.Before(articles.EarliestPublished) {
		// Say what else is wrong too, as a save would.
		fields := bulletin.ErrorFields(f.article().Validate())
		if fields == nil {
			fields = map[string]string{}
		}
		// A date that does not exist (30 February) is said as the API
		// says it, not taken for one before 1900.
		const example = "like 2026-12-01T09:00 (UTC)"
		fields["published_at"] = "give a date and time from 1900 on, " + example
		if why := formTimeProblem(f.PublishedAt, example); err != nil && why != "" {
			fields["published_at"] = why
		}
		return nil, bulletin.Invalid(fields)
	}
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
	ID     int64
	Title  string // the stored title, the page's heading, whatever was typed
	Form   *articleForm
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
