package web

import (
	"net/http"
)

// embedData is the data of pages/embed.html: a form another site can
// paste, posting to this server's /subscribe.
type embedData struct {
	Title    string
	Action   string
	Lists    []listOption
	Hidden   string // the one list of ?list=, as a hidden field
	Honeypot string
}

// subscribeEmbed shows the snippet to copy and a preview of it.
func (s *Server) subscribeEmbed(w http.ResponseWriter, r *http.Request) {
	lists, err := s.Subscribers.PublicLists(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := embedData{Title: "Embed a signup form", Action: s.publicURL(r) + "/subscribe", Honeypot: honeypotField}
	want := r.URL.Query().Get("list")
	for _, l := range lists {
		if want != "" && l.Slug == want {
			d.Hidden = l.Slug
		}
		d.Lists = append(d.Lists, listOption{Slug: l.Slug, Name: l.Name, Checked: len(lists) == 1})
	}
	if d.Hidden != "" {
		d.Lists = nil
	}
	s.renderPage(w, r, http.StatusOK, "embed", d)
}
