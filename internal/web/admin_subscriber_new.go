package web

import (
	"context"
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

// newSubscriberPage shows the add form with Pending chosen: the reader
// is then asked by mail, as a signup is, and gets nothing else until they
// click. An editor who skips the choice so sends one mail that its owner
// may ignore, where Confirmed chosen for them would put every campaign in
// front of someone whose consent no one vouched for. Confirmed is one
// deliberate click away.
func (s *Server) newSubscriberPage(w http.ResponseWriter, r *http.Request) {
	s.renderNewSubscriber(w, r, http.StatusOK, &newSubscriberPage{Status: subscribers.StatusPending}, nil)
}

// renderNewSubscriber shows the add form with p's values, the lists in
// chosen ticked.
func (s *Server) renderNewSubscriber(w http.ResponseWriter, r *http.Request, status int, p *newSubscriberPage, chosen []string) {
	var err error
	if p.Lists, err = s.choicesOf(r.Context(), chosen); err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Errors = sentences(p.Errors)
	s.renderAdmin(w, r, status, "admin_subscriber_new", p)
}

// noListMessage is the lists' error of a reader added with none ticked.
// The store takes such a reader (the API's caller may add the lists
// after), but on this form it is a slip: the reader would get no mail,
// and the editor be told they were added. Only an install with no list
// yet adds one so, as the form offers: the banner then says it.
const noListMessage = "Tick at least one list: a reader on no list gets no mail."

// noStatusMessage is the status's error of an add form sent with neither
// choice, from a page of before Pending was chosen for the editor.
const noStatusMessage = "Choose a status: Confirmed (you have their consent) or Pending (they are mailed to confirm)."

func init() {
	flashes["subscriber-added-no-list"] = "Subscriber added, on no list: they get no mail until you add them to one."
	flashes["subscriber-added-pending-outbox"] = "Subscriber added as pending. No SMTP server is set, so their confirmation mail was written to the Outbox, not sent: it reaches no one until one is. They get nothing else until its link is clicked."
}

// addFormErrors are the add form's errors when no list is ticked
// (noList) or no status chosen: those and whatever Create would say of
// the other fields and of lists, the ticked ones (more than
// subscribers.MaxLists), the taken or erased address too, so that one
// round names them all.
func (s *Server) addFormErrors(r *http.Request, p *newSubscriberPage, lists []string, noList bool) (map[string]string, error) {
	errs := map[string]string{}
	in := &subscribers.Signup{Email: p.Email, Name: p.Name, Lists: lists}
	maps.Copy(errs, bulletin.ErrorFields(in.Normalize()))
	if len(in.Lists) <= subscribers.MaxLists {
		delete(errs, "lists") // none is noList's to say
	}
	if errs["email"] != "" && strings.TrimSpace(p.Email) == "" {
		errs["email"] = "Enter the subscriber's email address." // as below
	}
	if errs["email"] == "" {
		why, sub, err := s.addressFault(r.Context(), in.Email, 0)
		if err != nil {
			return nil, err
		}
		errs["email"], p.Existing = why, sub
		if why == "" {
			delete(errs, "email")
		}
	}
	if noList {
		errs["lists"] = noListMessage
	}
	if p.Status != subscribers.StatusConfirmed && p.Status != subscribers.StatusPending {
		errs["status"] = noStatusMessage
	}
	return errs, nil
}

// addressFault says why email, an address that is valid, may not be
// given to subscriber self (0 for a new one): another subscriber, whom it
// returns, has it, or it was erased. It is "" when the address is free.
func (s *Server) addressFault(ctx context.Context, email string, self int64) (string, *subscribers.Subscriber, error) {
	sub, err := s.Subscribers.ByEmail(ctx, email)
	switch {
	case err == nil && sub.ID != self:
		return "A subscriber with this address exists already.", sub, nil
	case err == nil:
		return "", nil, nil // their own address: it may not have been erased
	case bulletin.ErrorCode(err) != bulletin.ENOTFOUND:
		return "", nil, err
	}
	erased, err := s.Subscribers.Erased(ctx, email)
	if err != nil || !erased {
		return "", nil, err
	}
	return "This address was erased at its owner's request; only they can sign up again.", nil, nil
}

// createSubscriberForm adds a reader with the API's rules. Confirmed: the
// admin vouches for the consent, nothing is mailed. Pending: the reader
// gets the confirmation mail a signup gets.
func (s *Server) createSubscriberForm(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	p := &newSubscriberPage{Email: f.Get("email"), Name: f.Get("name"), Status: f.Get("status")}
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	noList := len(f["list"]) == 0 && len(lists) > 0
	if noList || (p.Status != subscribers.StatusConfirmed && p.Status != subscribers.StatusPending) {
		if p.Errors, err = s.addFormErrors(r, p, f["list"], noList); err != nil {
			s.adminFailed(w, r, err)
			return
		}
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
			p.Errors["email"] = "Enter the subscriber's email address."
		}
		s.renderNewSubscriber(w, r, http.StatusUnprocessableEntity, p, f["list"])
		return
	} else if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	flash := "subscriber-added"
	if len(sub.Lists) == 0 {
		flash = "subscriber-added-no-list"
	}
	if sub.Status == subscribers.StatusPending {
		flash = "subscriber-added-pending"
		if s.Outbox != nil {
			flash = "subscriber-added-pending-outbox"
		}
		if err := s.Subscribers.QueueConfirm(r.Context(), sub.ID, s.Confirms); err != nil {
			// The row is flagged: the reconciler sends it within minutes.
			s.Log.Warn("queue confirmation", "subscriber", sub.ID, "err", err)
		}
	}
	s.redirectWithFlash(w, r, "/admin/subscribers/"+strconv.FormatInt(sub.ID, 10), flash)
}
