package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/subscribers"
)

// An articlesPage lists articles newest first, searched and filtered.
type articlesPage struct {
	adminPage
	Articles []*articles.Article
	Lists    []*subscribers.List
	Q, List  string
	NextURL  string
	names    map[string]string // the lists' names by slug
	zones    listIndex
}

// Published is when a was published, in its zone (articleZone), named,
// as its edit form shows it: "3 December 2026, 10:00 Europe/Paris".
func (p *articlesPage) Published(a *articles.Article) string {
	return zoned(a.PublishedAt, p.zones.articleZone(a.Lists))
}

// ListName is the name of the list slug, as other pages show lists, or
// the slug of one deleted since the article was read.
func (p *articlesPage) ListName(slug string) string {
	if name, ok := p.names[slug]; ok {
		return name
	}
	return slug
}

// articlesPage shows the articles, newest published first: ?q= searches
// the title, summary, URL and author, ignoring case; ?list= keeps one
// list's; ?before= pages on.
func (s *Server) articlesPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := &articlesPage{Q: strings.TrimSpace(q.Get("q")), List: q.Get("list")}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	items, next, err := s.Articles.Search(r.Context(), articles.Search{Q: p.Q, List: p.List, Before: before, Limit: 50})
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if p.Lists, err = s.Subscribers.Lists(r.Context()); err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Articles = items
	p.names = make(map[string]string, len(p.Lists))
	p.zones = make(listIndex, len(p.Lists))
	for _, l := range p.Lists {
		p.names[l.Slug] = l.Name
		p.zones[l.Slug] = l
	}
	if next > 0 {
		v := url.Values{"before": {strconv.FormatInt(next, 10)}}
		if p.Q != "" {
			v.Set("q", p.Q)
		}
		if p.List != "" {
			v.Set("list", p.List)
		}
		p.NextURL = "/admin/articles?" + v.Encode()
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_articles", p)
}
