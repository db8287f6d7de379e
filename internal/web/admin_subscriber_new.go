package web

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// newSubscriberPage is the add form: the values typed so far and each
// field's error.
type newSubscriberPage struct {
	adminPage
	Email, Name, Status string
	Lists               []listChoice
	Errors              map[string]string
	Error               string
	// Existing is the subscriber who has the address already, whose
	// page the email field's error links to.
	Existing *subscribers.Subscriber
}

func (s *Server) newSubscriberPage(w http.ResponseWriter, r *http.Request) {
	s.renderNewSubscriber(w, r, http.StatusOK, &newSubscriberPage{Status: subscribers.StatusConfirmed}, nil)
}

// renderNewSubscriber shows the add form with p's values, the lists in
// chosen ticked.
func (s *Server) renderNewSubscriber(w http.ResponseWriter, r *http.Request, status int, p *newSubscriberPage, chosen []string) {
	var err error
	if p.Lists, err = s.choicesOf(r.Context(), chosen); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_subscriber_new", p)
}

// createSubscriberForm adds a reader with the API's rules. Confirmed: the
// admin vouches for the consent, nothing is mailed. Pending: the reader
// gets the confirmation mail a signup gets.
func (s *Server) createSubscriberForm(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	p := &newSubscriberPage{Email: f.Get("email"), Name: f.Get("name"), Status: f.Get("status")}
	if p.Status != subscribers.StatusConfirmed && p.Status != subscribers.StatusPending {
		p.Errors = map[string]string{"status": "choose confirmed or pending"}
		s.renderNewSubscriber(w, r, http.StatusUnprocessableEntity, p, f["list"])
		return
	}
	sub, err := s.Subscribers.Create(r.Context(), &subscribers.NewSubscriber{Email: p.Email, Name: p.Name, Status: p.Status, Lists: f["list"]})
	if code := bulletin.ErrorCode(err); code == bulletin.EINVALID || code == bulletin.ECONFLICT {
		p.Errors = maps.Clone(bulletin.ErrorFields(err))
		switch {
		case code == bulletin.ECONFLICT:
			// Create's conflicts are the address's: a subscriber has it,
			// or it was erased. The field says so, with the page of the
			// subscriber who has it.
			p.Errors = map[string]string{"email": bulletin.ErrorMessage(err)}
			p.Existing, err = s.Subscribers.ByEmail(r.Context(), p.Email)
			if err != nil && bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
				s.adminFailed(w, r, err)
				return
			}
		case p.Errors == nil:
			p.Error = bulletin.ErrorMessage(err)
		case p.Errors["email"] != "" && strings.TrimSpace(p.Email) == "":
			// The signup's words speak to the reader.
			p.Errors["email"] = "enter the subscriber's email address"
		}
		s.renderNewSubscriber(w, r, http.StatusUnprocessableEntity, p, f["list"])
		return
	} else if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	flash := "subscriber-added"
	if sub.Status == subscribers.StatusPending {
		flash = "subscriber-added-pending"
		if err := s.Subscribers.QueueConfirm(r.Context(), sub.ID, s.Confirms); err != nil {
			// The row is flagged: the reconciler sends it within minutes.
			s.Log.Warn("queue confirmation", "subscriber", sub.ID, "err", err)
		}
	}
	http.Redirect(w, r, flashURL("/admin/subscribers/"+strconv.FormatInt(sub.ID, 10), flash), http.StatusSeeOther)
}
