package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
)

// listPage shows one list's edit form and its delete form. A welcome text
// stored before texts were checked that does not render is marked on its
// field at once, with every reason: the list is saved again only with it
// fixed or emptied. What only a new text is refused for (a relative link)
// is not marked, as the save takes the stored text with it.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request) {
	// The slug names its list in any case, as on the report pages
	// (storedSlug); the form then posts to the list's own slug.
	slug, err := s.storedSlug(r)
	if err != nil {
		s.renderListForm(w, r, &listFormPage{Slug: r.PathValue("slug")}, err)
		return
	}
	l, err := s.Subscribers.ListBySlug(r.Context(), slug)
	if err != nil {
		s.renderListForm(w, r, &listFormPage{Slug: slug}, err)
		return
	}
	p := &listFormPage{List: l, Slug: slug, Name: l.Name}
	if why := subscribers.CheckWelcome(l.Welcome, true, welcomeRenders); why != "" {
		p.Errors = map[string]string{"welcome": "this welcome mail does not render, so readers who confirm get none; fix it or empty it: " + why}
	}
	s.renderListForm(w, r, p, nil)
}
