package web

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/prose"
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
	// FilterNotes say which of the link's filters name no status or no
	// list, and were dropped.
	FilterNotes []string
}

// knownFilters drops from f a status or a list that none of the menus
// offers, as a link kept from a deleted list or typed by hand names, and
// says so, one note each: the menus then show what the page shows (any
// status, all lists), where the page said that no subscriber matched
// while the menus said "Any status" and "All lists". A list's slug in
// another case, or with spaces around it, names the list.
func knownFilters(f *subscribers.Filter, lists []*subscribers.List) []string {
	var notes []string
	status, list := unknownFilters(f, lists)
	if status != "" {
		notes = append(notes, "The link's status “"+status+"” is none of "+strings.Join(subscriberStatuses, ", ")+
			": the page shows every status.")
	}
	if list != "" {
		notes = append(notes, "The link's list “"+list+"” is no list now (it was deleted, or its slug changed): the page shows every list's subscribers.")
	}
	return notes
}

// unknownFilters sets f's status and list to those of the menus they
// name (a status in any case, a slug in any case or with spaces around
// it) and returns, dropped from f, the status and the list that none
// names; "" for each that is known or not given. The page and its
// export read the link's filters alike through it.
func unknownFilters(f *subscribers.Filter, lists []*subscribers.List) (status, list string) {
	if f.Status != "" {
		if s := strings.ToLower(strings.TrimSpace(f.Status)); slices.Contains(subscriberStatuses, s) {
			f.Status = s
		} else {
			status, f.Status = f.Status, ""
		}
	}
	if f.List != "" {
		if i := slices.IndexFunc(lists, func(l *subscribers.List) bool { return l.Slug == subscribers.SlugKey(f.List) }); i >= 0 {
			f.List = lists[i].Slug
		} else {
			list, f.List = f.List, ""
		}
	}
	return status, list
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
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	notes := knownFilters(&f, lists)
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
	p := &subscribersPage{Items: page.Items, Total: page.Total, Lists: lists, Statuses: subscriberStatuses, Q: f.Q, List: f.List, Status: f.Status,
		ListNames: make(map[string]string, len(lists)), FilterNotes: notes}
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
	// Frequency says whether the form offers a digest frequency.
	Frequency frequencyField
	// Suppression is the suppression list's entry that keeps mail from
	// them, their address's or their domain's; nil when none does.
	Suppression *events.Suppression
	// History is their newest unsubscribes through a provider, bounces
	// and complaints; MoreHistory says there are older ones.
	History     []events.Past
	MoreHistory bool
	// ConfirmSentAt is when a pending reader's last confirmation mail
	// went, nil when none did; ResendFrom is when another may go, nil
	// when one may go now.
	ConfirmSentAt, ResendFrom *time.Time
	// Waiting is a confirmed reader's signup or import that waits for
	// the click on its mailed link to add lists; nil when none does.
	Waiting *subscribers.WaitingRequest
}

// WaitingLists names the lists of p.Waiting: "Daily News and Weekend
// Culture".
func (p *subscriberPage) WaitingLists() string { return prose.And(p.Waiting.Lists) }

// An attribute is one of a reader's attributes as their page shows it.
type attribute struct{ Name, Value string }

// Attributes are the reader's attributes by name, a text as it is and any
// other value as JSON, for their page to show what only their JSON
// export showed.
func (p *subscriberPage) Attributes() []attribute {
	out := make([]attribute, 0, len(p.Sub.Attributes))
	for _, name := range slices.Sorted(maps.Keys(p.Sub.Attributes)) {
		v, ok := p.Sub.Attributes[name].(string)
		if !ok {
			b, err := json.Marshal(p.Sub.Attributes[name])
			if err != nil {
				b = []byte("?") // read from JSON, so it always encodes
			}
			v = string(b)
		}
		out = append(out, attribute{Name: name, Value: v})
	}
	return out
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
	// LeftAt is when the reader left the list, for one they are no
	// longer on (a reader's page only).
	LeftAt *time.Time
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
	id, err := parseID(r.PathValue("id"))
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
	p := &subscriberPage{Sub: sub, Statuses: subscriberStatuses, Errors: sentences(errs),
		Form: subscriberForm{Email: sub.Email, Name: sub.Name, Status: sub.Status, Frequency: sub.Frequency, Lists: sub.Lists}}
	if form != nil {
		p.Form = *form
	}
	if p.Lists, err = s.choicesOf(ctx, p.Form.Lists); err != nil {
		s.adminError(w, r, err)
		return
	}
	left, err := s.Subscribers.ListsLeft(ctx, id)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	for i, c := range p.Lists {
		if at, ok := left[c.Slug]; ok && !c.On {
			p.Lists[i].LeftAt = &at
		}
	}
	if p.Frequency, err = s.frequencyFieldOf(ctx, p.Form.Lists); err != nil {
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
	if sub.Status == subscribers.StatusConfirmed {
		if p.Waiting, err = s.Subscribers.WaitingRequest(ctx, id); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	if sub.Status == subscribers.StatusPending {
		if p.ConfirmSentAt, err = s.Subscribers.ConfirmSentAt(ctx, id); err != nil {
			s.adminError(w, r, err)
			return
		}
		if p.ConfirmSentAt != nil {
			if next := p.ConfirmSentAt.Add(subscribers.ConfirmInterval); time.Now().Before(next) {
				p.ResendFrom = &next
			}
		}
	}
	s.renderAdmin(w, r, status, "admin_subscriber", p)
}

// updateSubscriberForm saves the edit form: email, name, status,
// frequency, lists, with the API's rules and errors.
func (s *Server) updateSubscriberForm(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
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
	if errs, err := s.noListOnPage(r, id, f, patch); err != nil {
		s.adminFailed(w, r, err)
		return
	} else if errs != nil {
		s.renderSubscriber(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	_, err = s.Subscribers.Update(r.Context(), id, patch)
	if code := bulletin.ErrorCode(err); code == bulletin.EINVALID || code == bulletin.ECONFLICT {
		errs := bulletin.ErrorFields(err)
		if errs != nil {
			// The store says an address taken only once the other
			// fields are right: it is named with them here, not on the
			// next save.
			if errs, err = s.withTakenAddress(r.Context(), errs, patch.Email, id); err != nil {
				s.adminFailed(w, r, err)
				return
			}
		} else {
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
	s.redirectWithFlash(w, r, "/admin/subscribers/"+strconv.FormatInt(id, 10), "saved")
}

// noListOnPage refuses the reader's page saved with no list ticked for a
// reader who is to get mail (confirmed or pending) while lists exist, as
// the add form refuses it and for its reason: on no list they get none,
// and "Saved." would not say so. An unsubscribed reader is on no list by
// definition, and a bounced one gets no mail whatever their lists. It
// returns the form's errors, the other fields' too, so that one round
// names them all; nil when the form may be saved.
func (s *Server) noListOnPage(r *http.Request, id int64, f *subscriberForm, patch *subscribers.Patch) (map[string]string, error) {
	if len(f.Lists) > 0 || (f.Status != subscribers.StatusConfirmed && f.Status != subscribers.StatusPending) {
		return nil, nil
	}
	ctx := r.Context()
	lists, err := s.Subscribers.Lists(ctx)
	if err != nil || len(lists) == 0 {
		return nil, err
	}
	err = s.Subscribers.CheckPatch(ctx, id, patch)
	if code := bulletin.ErrorCode(err); code != "" && code != bulletin.EINVALID {
		return nil, err
	}
	errs := maps.Clone(bulletin.ErrorFields(err))
	if errs == nil {
		errs = map[string]string{}
	}
	if errs["email"] == "" && patch.Email != nil {
		addr, _ := subscribers.NormalizeEmail(*patch.Email) // valid: CheckPatch passed it
		why, _, err := s.addressFault(ctx, addr, id)
		if err != nil {
			return nil, err
		}
		setOrDelete(errs, "email", why)
	}
	errs["lists"] = noListMessage
	return errs, nil
}

// eraseSubscriberForm erases a subscriber for good.
func (s *Server) eraseSubscriberForm(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if err := s.Subscribers.Erase(r.Context(), id); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/subscribers", "erased")
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

// withTakenAddress is errs, the fields a save of reader self refused,
// with the fault of email, the new address (nil: none given), when
// another reader has it or it was erased (addressFault), in Update's
// words for the first: the store checks the address only once the other
// fields pass. errs is returned as it is when it names the address
// already, or the address is free.
func (s *Server) withTakenAddress(ctx context.Context, errs map[string]string, email *string, self int64) (map[string]string, error) {
	if email == nil || errs["email"] != "" {
		return errs, nil
	}
	addr, msg := subscribers.NormalizeEmail(*email)
	if msg != "" {
		return errs, nil
	}
	why, other, err := s.addressFault(ctx, addr, self)
	if err != nil || why == "" {
		return errs, err
	}
	if other != nil {
		why = "Another subscriber has this address."
	}
	errs = maps.Clone(errs)
	errs["email"] = why
	return errs, nil
}
