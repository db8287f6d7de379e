package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

type subscribersPage struct {
	adminPage
	Items    []*subscribers.Subscriber
	Lists    []*subscribers.List
	Statuses []string
	Q        string
	List     string
	Status   string
	NextURL  string
	// ExportURL downloads what the filters select, with the session.
	ExportURL string
}

var subscriberStatuses = []string{subscribers.StatusConfirmed, subscribers.StatusPending, subscribers.StatusUnsubscribed, subscribers.StatusBounced}

// subscribersPage lists subscribers 50 at a time with search and filters.
func (s *Server) subscribersPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := subscribers.Filter{Q: q.Get("q"), List: q.Get("list"), Status: q.Get("status"), Limit: 50}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	items, next, err := s.Subscribers.List(r.Context(), f)
	if err != nil && bulletin.ErrorCode(err) == bulletin.EINTERNAL {
		s.adminError(w, r, err)
		return
	}
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &subscribersPage{Items: items, Lists: lists, Statuses: subscriberStatuses, Q: f.Q, List: f.List, Status: f.Status}
	p.ExportURL = "/admin/subscribers/export"
	if v := filterValues(f); len(v) > 0 {
		p.ExportURL += "?" + v.Encode()
	}
	if next > 0 {
		v := url.Values{"q": {f.Q}, "list": {f.List}, "status": {f.Status}, "after": {strconv.FormatInt(next, 10)}}
		p.NextURL = "/admin/subscribers?" + v.Encode()
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_subscribers", p)
}

type subscriberPage struct {
	adminPage
	Sub      *subscribers.Subscriber
	Lists    []listChoice
	Statuses []string
	Error    string
}

type listChoice struct {
	Slug, Name string
	On         bool
}

// choicesOf returns every list as a checkbox of a form, those in chosen
// ticked.
func (s *Server) choicesOf(ctx context.Context, chosen []string) ([]listChoice, error) {
	lists, err := s.Subscribers.Lists(ctx)
	if err != nil {
		return nil, err
	}
	on := make(map[string]bool, len(chosen))
	for _, slug := range chosen {
		on[slug] = true
	}
	out := make([]listChoice, 0, len(lists))
	for _, l := range lists {
		out = append(out, listChoice{Slug: l.Slug, Name: l.Name, On: on[l.Slug]})
	}
	return out, nil
}

func (s *Server) subscriberPage(w http.ResponseWriter, r *http.Request) {
	s.renderSubscriber(w, r, http.StatusOK, "")
}

func (s *Server) renderSubscriber(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	sub, err := s.Subscribers.Get(r.Context(), id)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	p := &subscriberPage{Sub: sub, Statuses: subscriberStatuses, Error: msg}
	if p.Lists, err = s.choicesOf(r.Context(), sub.Lists); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_subscriber", p)
}

// updateSubscriberForm saves the edit form: name, status, lists.
func (s *Server) updateSubscriberForm(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	name, status, freq := r.PostForm.Get("name"), r.PostForm.Get("status"), r.PostForm.Get("frequency")
	lists := r.PostForm["list"]
	if lists == nil {
		lists = []string{}
	}
	_, err = s.Subscribers.Update(r.Context(), id, &subscribers.Patch{Name: &name, Status: &status, Frequency: &freq, Lists: &lists})
	if code := bulletin.ErrorCode(err); code == bulletin.EINVALID || code == bulletin.ECONFLICT {
		msg := bulletin.ErrorMessage(err)
		for field, why := range bulletin.ErrorFields(err) {
			msg += " " + field + ": " + why + "."
		}
		s.renderSubscriber(w, r, http.StatusUnprocessableEntity, msg)
		return
	} else if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/subscribers/"+strconv.FormatInt(id, 10), "saved"), http.StatusSeeOther)
}

// eraseSubscriberForm erases a subscriber for good.
func (s *Server) eraseSubscriberForm(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if err := s.Subscribers.Erase(r.Context(), id); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/subscribers", "erased"), http.StatusSeeOther)
}

// filterValues are f's search and filters as a query, without the empty ones.
func filterValues(f subscribers.Filter) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"q": f.Q, "list": f.List, "status": f.Status} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}
