package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/mailer"
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
	// Total is how many readers the search and filters select.
	Total int
	// OlderURL and NewerURL are the pages beside this one, newest
	// first; empty at either end.
	OlderURL, NewerURL string
	// Suppressed marks the page's readers whose address or domain is on
	// the suppression list, by address.
	Suppressed map[string]bool
	// ExportURL downloads what the filters select, with the session.
	ExportURL string
	// ListNames are the lists' names by slug, for the readers' lists.
	// A slug without one is of a list deleted or renamed since the
	// readers were read: the table shows the slug, marked gone.
	ListNames map[string]string
}

// Address is addr as people read it (mailer.AddressForPeople), for the page's
// table; the suppression marks and links go by the address as stored.
func (*subscribersPage) Address(addr string) string { return mailer.AddressForPeople(addr) }

var subscriberStatuses = []string{subscribers.StatusConfirmed, subscribers.StatusPending, subscribers.StatusUnsubscribed, subscribers.StatusBounced}

// subscribersPage lists subscribers 50 at a time, newest first, with
// search and filters and how many they select. ?before=ID&at=JOINED pages
// to older readers and ?after=ID&at=JOINED back to newer ones (the API
// pages by id upwards: SPEC).
func (s *Server) subscribersPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := subscribers.Filter{Q: q.Get("q"), List: q.Get("list"), Status: q.Get("status"), Limit: 50}
	var before, after subscribers.Cursor
	before.ID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	after.ID, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	before.At, after.At = q.Get("at"), q.Get("at")
	page, err := s.Subscribers.Newest(r.Context(), f, before, after)
	if err != nil && bulletin.ErrorCode(err) == bulletin.EINTERNAL {
		s.adminError(w, r, err)
		return
	}
	if page == nil {
		page = &subscribers.NewestPage{} // a filter refused: nothing matches
	}
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &subscribersPage{Items: page.Items, Total: page.Total, Lists: lists, Statuses: subscriberStatuses, Q: f.Q, List: f.List, Status: f.Status,
		ListNames: make(map[string]string, len(lists))}
	for _, l := range lists {
		p.ListNames[l.Slug] = l.Name
	}
	if p.Suppressed, err = s.suppressedAmong(r.Context(), page.Items); err != nil {
		s.adminError(w, r, err)
		return
	}
	p.ExportURL = "/admin/subscribers/export"
	if v := filterValues(f); len(v) > 0 {
		p.ExportURL += "?" + v.Encode()
	}
	p.OlderURL = subscribersPageURL(f, "before", page.Older)
	p.NewerURL = subscribersPageURL(f, "after", page.Newer)
	s.renderAdmin(w, r, http.StatusOK, "admin_subscribers", p)
}

// subscribersPageURL is the list's page beside cursor c (before or after
// it) with f's search and filters; empty when c is nil (no such page).
func subscribersPageURL(f subscribers.Filter, side string, c *subscribers.Cursor) string {
	if c == nil {
		return ""
	}
	v := filterValues(f)
	v.Set(side, strconv.FormatInt(c.ID, 10))
	v.Set("at", c.At)
	return "/admin/subscribers?" + v.Encode()
}

type subscriberPage struct {
	adminPage
	Sub *subscribers.Subscriber
	// Form is what the edit form shows: the stored values, or those
	// typed when they were refused.
	Form     subscriberForm
	Lists    []listChoice
	Statuses []string
	// Errors are the refused form's, by field ("" for the form).
	Errors map[string]string
	// FrequencyNotes say when their latest change of digest frequency
	// takes effect, as their preferences page tells them.
	FrequencyNotes []string
	// Suppression is the suppression list's entry that keeps mail from
	// them, their address's or their domain's; nil when none does.
	Suppression *events.Suppression
	// History is their newest unsubscribes through a provider, bounces
	// and complaints; MoreHistory says there are older ones.
	History     []events.Past
	MoreHistory bool
}

// Address is addr as people read it (mailer.AddressForPeople), for the page's
// heading and title, as the email field shows it.
func (*subscriberPage) Address(addr string) string { return mailer.AddressForPeople(addr) }

// subscriberForm is the edit form's values.
type subscriberForm struct {
	Email, Name, Status, Frequency string
	Lists                          []string
}

// suppressedAmong marks which of a page of readers are suppressed.
func (s *Server) suppressedAmong(ctx context.Context, subs []*subscribers.Subscriber) (map[string]bool, error) {
	if s.Events == nil {
		return nil, nil
	}
	addrs := make([]string, len(subs))
	for i, sub := range subs {
		addrs[i] = sub.Email
	}
	return s.Events.SuppressedAmong(ctx, addrs)
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
	s.renderSubscriber(w, r, http.StatusOK, nil, nil)
}

// renderSubscriber shows a subscriber's page; the form has the values of
// form when given (a refused edit, with its errs), else the stored ones.
func (s *Server) renderSubscriber(w http.ResponseWriter, r *http.Request, status int, form *subscriberForm, errs map[string]string) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	sub, err := s.Subscribers.Get(ctx, id)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	p := &subscriberPage{Sub: sub, Statuses: subscriberStatuses, Errors: errs,
		Form: subscriberForm{Email: sub.Email, Name: sub.Name, Status: sub.Status, Frequency: sub.Frequency, Lists: sub.Lists}}
	if form != nil {
		p.Form = *form
	}
	if p.Lists, err = s.choicesOf(ctx, p.Form.Lists); err != nil {
		s.adminError(w, r, err)
		return
	}
	if p.FrequencyNotes, err = s.Subscribers.FrequencyNotes(ctx, id); err != nil {
		s.adminError(w, r, err)
		return
	}
	if s.Events != nil && sub.Email != "" {
		if p.Suppression, err = s.Events.SuppressionOf(ctx, sub.Email); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	if s.Events != nil {
		if p.History, p.MoreHistory, err = s.Events.History(ctx, id, events.HistoryLimit); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	s.renderAdmin(w, r, status, "admin_subscriber", p)
}

// updateSubscriberForm saves the edit form: email, name, status,
// frequency, lists, with the API's rules and errors.
func (s *Server) updateSubscriberForm(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	f := &subscriberForm{Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"), Status: r.PostForm.Get("status"),
		Frequency: r.PostForm.Get("frequency"), Lists: r.PostForm["list"]}
	if f.Lists == nil {
		f.Lists = []string{}
	}
	patch := &subscribers.Patch{Name: &f.Name, Status: &f.Status, Frequency: &f.Frequency, Lists: &f.Lists}
	// A form without the field (an older page still open) leaves the
	// address alone.
	if r.PostForm.Has("email") {
		patch.Email = &f.Email
	}
	_, err = s.Subscribers.Update(r.Context(), id, patch)
	if code := bulletin.ErrorCode(err); code == bulletin.EINVALID || code == bulletin.ECONFLICT {
		errs := bulletin.ErrorFields(err)
		if errs == nil {
			// The store's conflicts are all about the address: another
			// reader has it, or its owner had it erased.
			key := ""
			if code == bulletin.ECONFLICT && patch.Email != nil {
				key = "email"
			}
			errs = map[string]string{key: bulletin.ErrorMessage(err)}
		}
		s.renderSubscriber(w, r, http.StatusUnprocessableEntity, f, errs)
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
