package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/mailer"
)

// suppressionsPageSize is how many entries the admin page shows at once.
const suppressionsPageSize = 50

type suppressionsPage struct {
	adminPage
	Q, Next string
	Items   []events.Suppression
	// Target and Note refill the add form after an error.
	Target, Note string
	// Lift is the target whose lift form failed, with LiftReason.
	Lift, LiftReason string
	Errors           map[string]string
	Imported         *suppressionImport
}

// ForPeople is target, an address or a domain of the list, as people
// write it (targetForPeople), for the page's text; its forms send target
// as stored.
func (*suppressionsPage) ForPeople(target string) string { return targetForPeople(target) }

// targetForPeople is an address or domain of the suppression list, which
// holds a domain in its IDNA form (xn--r8jz45g.jp), with the domain in
// Unicode (例え.jp) as the subscriber pages show a reader's address
// (mailer.AddressForPeople): the editor who typed 例え.jp could not tell
// the entry was theirs.
func targetForPeople(target string) string {
	if strings.Contains(target, "@") {
		return mailer.AddressForPeople(target)
	}
	return strings.TrimPrefix(mailer.AddressForPeople("@"+target), "@")
}

// suppressionsPage lists the suppression list, searched by ?q= and paged
// by ?after=, with the forms that add, lift, import and export.
func (s *Server) suppressionsPage(w http.ResponseWriter, r *http.Request) {
	s.renderSuppressions(w, r, http.StatusOK, &suppressionsPage{})
}

// renderSuppressions shows the page of the list the request's ?q= and
// ?after= ask for, or the entries p.Q finds when set.
func (s *Server) renderSuppressions(w http.ResponseWriter, r *http.Request, status int, p *suppressionsPage) {
	q := r.URL.Query()
	if p.Q == "" {
		p.Q = q.Get("q")
	}
	var err error
	p.Items, p.Next, err = s.Events.Suppressions(r.Context(), events.SuppressionFilter{Q: p.Q, After: q.Get("after"), Limit: suppressionsPageSize})
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	// A search for one entry's very target (the page after adding it, or
	// a lift of it sent back) shows that entry first when the page found
	// others before it: a domain's entry sorts after the addresses at
	// that domain its search also finds.
	exact := p.Lift
	if exact == "" && q.Get("after") == "" {
		exact = p.Q
	}
	if exact != "" && !slices.ContainsFunc(p.Items, func(sp events.Suppression) bool { return strings.EqualFold(sp.Target(), exact) }) {
		own, _, err := s.Events.Suppressions(r.Context(), events.SuppressionFilter{Exact: exact, Limit: 1})
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		p.Items = append(own, p.Items...)
	}
	s.renderAdmin(w, r, status, "admin_suppressions", p)
}

// addSuppressionForm adds the address or domain typed in, with the note.
func (s *Server) addSuppressionForm(w http.ResponseWriter, r *http.Request) {
	f := suppressionForm{Target: r.PostFormValue("target"), Note: r.PostFormValue("note")}
	target, err := f.target()
	if err == nil {
		var created bool
		if _, created, err = s.Events.AddSuppression(r.Context(), target, events.ReasonManual, "admin", f.Note); err == nil {
			key := "suppression-added"
			if !created {
				key = "suppression-known"
			}
			s.redirectWithFlash(w, r, "/admin/suppressions?q="+url.QueryEscape(target), key)
			return
		}
	}
	if bulletin.ErrorCode(err) != bulletin.EINVALID {
		s.adminError(w, r, err)
		return
	}
	msgs := bulletin.ErrorFields(err)
	// The form's one field takes an address too: a value without an @
	// is read as a domain, yet may be an address missing its @.
	if msgs["domain"] != "" {
		msgs["domain"] = "enter an address like name@example.com or a domain like example.com"
	}
	// Each message goes under its own field: the note's (too long) said
	// under the address read as the address's fault.
	errs := map[string]string{}
	if why := msgs["address"] + msgs["domain"]; why != "" {
		errs["target"] = asSentence(why)
	}
	if why := msgs["note"]; why != "" {
		errs["note"] = asSentence(why)
	}
	p := &suppressionsPage{Target: f.Target, Note: f.Note, Errors: errs}
	s.renderSuppressions(w, r, http.StatusUnprocessableEntity, p)
}

// liftSuppressionForm lifts one entry once the admin has given a reason
// and ticked the confirmation. A lift refused names every field at fault
// at once, each beside its field ("lift_reason", "lift_confirm"), and
// says at the page's top ("lift") that nothing was lifted.
func (s *Server) liftSuppressionForm(w http.ResponseWriter, r *http.Request) {
	target, reason := r.PostFormValue("target"), r.PostFormValue("reason")
	// A form sent back shows the entry's row, open, whatever page of the
	// list it was on.
	p := &suppressionsPage{Lift: target, LiftReason: reason, Q: target}
	fields := map[string]string{}
	// The page asks why, for the log, where the API leaves it to the
	// client: a person at the form can say.
	if why, err := liftReason(reason); err != nil {
		fields["lift_reason"] = "Use at most 500 characters."
	} else if why == "" {
		fields["lift_reason"] = "Say why this address may get mail again (it is logged)."
	}
	if r.PostFormValue("confirm") != "yes" {
		fields["lift_confirm"] = "Tick the box to confirm that " + targetForPeople(target) + " may get mail again."
	}
	if len(fields) > 0 {
		fields["lift"] = targetForPeople(target) + " is still suppressed: fix the fields marked below."
		p.Errors = fields
		s.renderSuppressions(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	by := "admin"
	if sess := sessionFrom(r.Context()); sess != nil {
		by = "admin " + sess.Email
	}
	err := s.lift(r, target, reason, by)
	switch bulletin.ErrorCode(err) {
	case "":
		s.redirectWithFlash(w, r, "/admin/suppressions", "suppression-lifted")
	case bulletin.EINVALID:
		// The reason was checked above: what is left is the target, a
		// hidden field of the row, which no field on the page can fix.
		msgs := bulletin.ErrorFields(err)
		p.Errors = map[string]string{"lift": "Nothing was lifted: " + msgs["reason"] + msgs["address"] + "."}
		s.renderSuppressions(w, r, http.StatusUnprocessableEntity, p)
	default:
		s.adminFailed(w, r, err)
	}
}
