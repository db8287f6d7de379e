package web

import (
	"context"
	"errors"
	"mime"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// honeypotField is a form field hidden from people; bots that fill every
// field fill it too, and their signup is dropped without a word.
const honeypotField = "website"

// subscribeData is the data of pages/subscribe.html.
type subscribeData struct {
	Title    string
	Lists    []listOption
	Email    string
	Name     string
	Errors   map[string]string
	Honeypot string
}

type listOption struct {
	Slug, Name, Description string
	Checked                 bool
}

func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	var chosen []string
	if slug := r.URL.Query().Get("list"); slug != "" {
		chosen = []string{slug}
	}
	s.renderSubscribe(w, r, http.StatusOK, &subscribeData{}, chosen)
}

// renderSubscribe shows the form with the public lists, chosen ones ticked;
// with a single public list it is ticked anyway. With no public list there
// is nothing to join, and the page says so instead of a form that fails.
func (s *Server) renderSubscribe(w http.ResponseWriter, r *http.Request, status int, d *subscribeData, chosen []string) {
	lists, err := s.Subscribers.PublicLists(r.Context())
	if err != nil {
		s.Log.Error("public lists", "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	if len(lists) == 0 {
		s.messagePage(w, r, http.StatusServiceUnavailable, "Not open yet",
			"This site is not open for signups yet: it has no newsletter to join. Please come back soon. (If you run it, create a public list at /admin/lists.)")
		return
	}
	on := map[string]bool{} // by SlugKey, as the signup matches them: "Daily-News" ticks daily-news
	for _, c := range chosen {
		on[subscribers.SlugKey(c)] = true
	}
	for _, l := range lists {
		d.Lists = append(d.Lists, listOption{Slug: l.Slug, Name: l.Name, Description: l.Description,
			Checked: on[subscribers.SlugKey(l.Slug)] || len(lists) == 1})
	}
	d.Title, d.Honeypot = "Subscribe", honeypotField
	s.renderPage(w, r, status, "subscribe", d)
}

func (s *Server) subscribePost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		s.formError(w, r, err)
		return
	}
	if r.PostForm.Get(honeypotField) != "" {
		http.Redirect(w, r, "/subscribe/check-email", http.StatusSeeOther)
		return
	}
	in := &subscribers.Signup{Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"), Lists: r.PostForm["list"]}
	typed := subscribeData{Email: in.Email, Name: in.Name}
	err := s.Signups.Signup(r.Context(), in)
	switch bulletin.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/subscribe/check-email", http.StatusSeeOther)
	case bulletin.EINVALID:
		typed.Errors = bulletin.ErrorFields(err)
		s.renderSubscribe(w, r, http.StatusUnprocessableEntity, &typed, r.PostForm["list"])
	default:
		s.Log.Error("signup", "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong",
			"Your signup could not be saved. Please try again in a moment.")
	}
}

// parseForm insists on a form body within the size limit.
func parseForm(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data") {
		return bulletin.Errorf(bulletin.EUNSUPPORTED, "Send the form as application/x-www-form-urlencoded.")
	}
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(64 << 10)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return errTooLarge
		}
		return bulletin.Errorf(bulletin.EBADREQUEST, "The form could not be read.")
	}
	return nil
}

// formError answers a form that could not be read with a page.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf[bulletin.ErrorCode(err)]
	if status == 0 {
		status = http.StatusBadRequest
	}
	s.messagePage(w, r, status, "That did not work", bulletin.ErrorMessage(err))
}

// checkEmail answers every signup, whatever the address: its words hold
// for a new address, a known one, one mailed a few minutes before (no new
// mail goes, and that mail's link covers the lists asked since: see
// subscribers.ConfirmInterval) and a reader on every list chosen already.
func (s *Server) checkEmail(w http.ResponseWriter, r *http.Request) {
	s.messagePage(w, r, http.StatusOK, "Check your inbox",
		"Follow the link in our mail to confirm your subscription: nothing starts before. "+
			"If you asked within the last few minutes, use the link in the mail we sent then, even if you followed it already: "+
			"it covers every list you chose. No mail after a few minutes? Look in your spam folder.")
}

// pendingBody is the one answer of the JSON signup, whatever the address.
var pendingBody = map[string]string{"status": "pending"}

func (s *Server) apiSubscribe(w http.ResponseWriter, r *http.Request) {
	in, err := s.decodeSignup(r)
	if err == nil {
		err = s.Signups.Signup(r.Context(), in)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusAccepted, pendingBody)
}

// A SignupChecker checks a signup as its Signup would, storing nothing;
// *subscribers.Signups is one.
type SignupChecker interface {
	Check(ctx context.Context, in *subscribers.Signup) error
}

// decodeSignup reads a JSON signup body. A body with members of the wrong
// kind is refused with the other members checked too, when s.Signups can
// check them: one answer names every field at fault, as it does for a
// body that decodes.
func (s *Server) decodeSignup(r *http.Request) (*subscribers.Signup, error) {
	var in subscribers.Signup
	err := decodeJSON(r, &in)
	if err == nil {
		return &in, nil
	}
	fields := bulletin.ErrorFields(err)
	if fields == nil {
		return nil, err
	}
	// encoding/json decoded every member it could and left the others
	// empty: those are named already, with what to send instead.
	if c, ok := s.Signups.(SignupChecker); ok {
		for f, why := range bulletin.ErrorFields(c.Check(r.Context(), &in)) {
			if _, named := fields[f]; !named {
				fields[f] = why
			}
		}
	}
	return nil, err
}
