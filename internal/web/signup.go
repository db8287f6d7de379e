package web

import (
	"context"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/subscribers"
)

// honeypotField is a form field hidden from people; bots that fill every
// field fill it too, and their signup is dropped without a word.
const honeypotField = "website"

// oneListField is a hidden field of the snippet that joins one list
// (embed.html with ?list=SLUG, which writes its name out): a form posted
// with it and its one list, sent back to be fixed, is that one-list form
// again. The signup itself ignores it.
const oneListField = "one-list"

// The answers to "Did you mean zoe@gmail.com?", the question the form
// asks of an address whose domain looks mistyped (see domainTypo): each
// is a submit button whose value is the address it chooses, so that the
// answer comes back with the form and it is not asked again.
const (
	useSuggestedField = "use-address"
	keepTypedField    = "keep-address"
)

// subscribeData is the data of pages/subscribe.html.
type subscribeData struct {
	Title    string
	Lists    []listOption
	Email    string
	Name     string
	Errors   map[string]string
	Honeypot string
	// Unknown, on the form as first shown, says that a ?list= names no
	// public list (a typo, an old link, a private list's slug, which it
	// tells apart from no other), so that a reader who followed a link
	// for one list does not find nothing ticked without a word; "" when
	// every ?list= names one.
	Unknown string
	// askedByLink is whether the form is shown as first asked for, from
	// a link whose ?list= it says of, rather than posted back to fix.
	askedByLink bool

	// One, when not nil, is the one list of a form embedded for that
	// list (embed.html's snippet with ?list=SLUG), sent back to be fixed:
	// the page is that one-list form again, not every public list's.
	// OneField names the hidden field that marks such a form.
	One      *listOption
	OneField string
	// oneList is whether the form was posted with that field.
	oneList bool

	// Typo, when not nil, is the question asked of an address whose
	// domain looks mistyped, with its two answers.
	Typo *typoQuestion

	// CheckEmail turns the page into the one every signup is answered
	// with (checkEmail), From the sender's name its mail comes from. Email
	// is then the address this browser signed up (signupEmailCookie), or
	// "" when it is not known.
	CheckEmail bool
	From       string
	// Again is the form the check-email page's "Sign up again" leads to:
	// the one-list form the signup came from (oneListURL), else
	// /subscribe.
	Again string
}

// A typoQuestion asks whether the address typed, Typed, is meant, or
// Suggested (see subscribers.SuggestAddress); UseField and KeepField
// name the buttons of the two answers.
type typoQuestion struct {
	Typed, Suggested    string
	UseField, KeepField string
}

type listOption struct {
	Slug, Name, Description string
	Checked                 bool
}

// subscribeForm shows the form, with the lists of ?list= ticked: each
// one given, as an archived issue sent to several lists links here with
// all of them. One that names no public list is named in a notice.
func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	var chosen []string
	for _, slug := range r.URL.Query()["list"] {
		if slug = strings.TrimSpace(slug); slug != "" {
			chosen = append(chosen, slug)
		}
	}
	// ?one-list=1 with one ?list= is the one-list form of the embedded
	// snippet (oneListURL), where the check-email page leads back to it.
	s.renderSubscribe(w, r, http.StatusOK, &subscribeData{askedByLink: true, oneList: r.URL.Query().Get(oneListField) != ""}, chosen)
}

// renderSubscribe shows the form with the public lists, chosen ones ticked;
// with a single public list, the form as first shown has it ticked anyway.
// A form posted back to fix shows the boxes as they were sent: "choose at
// least one list" under the one list, ticked, read as a fault of the site.
// With no public list there is nothing to join, and the page says so
// instead of a form that fails.
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
	public := map[string]bool{}
	for _, l := range lists {
		d.Lists = append(d.Lists, listOption{Slug: l.Slug, Name: l.Name, Description: l.Description,
			Checked: on[subscribers.SlugKey(l.Slug)] || len(lists) == 1 && d.askedByLink})
		public[subscribers.SlugKey(l.Slug)] = true
	}
	if d.askedByLink { // a form posted back says so in its lists error
		d.Unknown = unknownNote(chosen, public, len(lists))
	}
	// A posted list that is not public (deleted, made private, its slug
	// changed, a typo in the publisher's embed code) is said of as the
	// form's link says of it: its reader did not type the slug, and is
	// shown what to do instead.
	if note := unknownNote(chosen, public, len(lists)); note != "" && d.Errors["lists"] != "" {
		d.Errors["lists"] = note
	}
	if d.oneList {
		// The one-list form is shown again only for a list still public
		// and not at fault; otherwise the lists to choose from are.
		if _, bad := d.Errors["lists"]; !bad && len(chosen) == 1 {
			for _, l := range d.Lists {
				if subscribers.SlugKey(l.Slug) == subscribers.SlugKey(chosen[0]) {
					d.One = &listOption{Slug: l.Slug, Name: l.Name}
				}
			}
		}
	}
	d.Title, d.Honeypot, d.OneField = "Subscribe", honeypotField, oneListField
	if len(d.Errors) > 0 {
		// The title is what a screen reader reads first on the page a
		// refused form comes back on.
		d.Title = "Error: Subscribe"
	} else if d.Typo != nil {
		d.Title = "Check your address: Subscribe"
	}
	s.renderPage(w, r, status, "subscribe", d)
}

// unknownNote says which of chosen name no public list (public holds
// the public lists' SlugKeys), each once and cut at 64 characters as the
// signup's error cuts them, and where to go instead; "" when every one
// names a list. Like the embed page, it says "no public list" of a
// private list's slug too, so the form tells nothing of private lists.
func unknownNote(chosen []string, public map[string]bool, lists int) string {
	var unknown []string
	seen := map[string]bool{}
	for _, c := range chosen {
		if k := subscribers.SlugKey(c); !public[k] && !seen[k] {
			seen[k] = true
			unknown = append(unknown, "“"+cut(c, 64)+"”")
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	note := "There is no public list " + unknown[0]
	if len(unknown) > 1 {
		note = "There are no public lists " + prose.And(unknown)
	}
	if lists == 1 {
		return note + ": the list below is the one you can join."
	}
	return note + ": choose from the lists below."
}

// cut is s cut to n characters, with "…" when it was longer.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// subscribePost signs a reader up from the form. An address whose domain
// looks mistyped (zoe@gmial.com) is not signed up at once: the form comes
// back, as it was sent, asking "Did you mean zoe@gmail.com?", unless the
// post answers that question already. A form with a fault is sent back
// to fix first, without the question, which the fixed form may ask.
func (s *Server) subscribePost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		s.formError(w, r, err, "/subscribe", "Back to the signup form")
		return
	}
	if r.PostForm.Get(honeypotField) != "" {
		s.toCheckEmail(w, r, r.PostForm.Get("email"))
		return
	}
	email, ask := domainTypo(r.PostForm)
	in := &subscribers.Signup{Email: email, Name: r.PostForm.Get("name"), Lists: r.PostForm["list"]}
	typed := subscribeData{Email: in.Email, Name: in.Name,
		oneList: r.PostForm.Get(oneListField) != ""}
	var err error
	if ask != nil {
		err = s.checkSignup(r.Context(), *in)
	} else {
		err = s.Signups.Signup(r.Context(), in)
	}
	switch bulletin.ErrorCode(err) {
	case "":
		if ask != nil {
			typed.Typo = ask
			s.renderSubscribe(w, r, http.StatusOK, &typed, r.PostForm["list"])
			return
		}
		s.toCheckEmail(w, r, email)
	case bulletin.EINVALID:
		typed.Errors = sentences(bulletin.ErrorFields(err))
		s.renderSubscribe(w, r, http.StatusUnprocessableEntity, &typed, r.PostForm["list"])
	case bulletin.EUNAVAILABLE:
		// The disk is full: not the reader's doing, and not fixed by
		// trying again in a moment.
		s.Log.Error("signup", "err", err)
		w.Header().Set("Retry-After", unavailableRetry)
		s.messagePageBack(w, r, http.StatusServiceUnavailable, "Try again later",
			"Your signup could not be saved: the server cannot store anything right now. Please try again later.",
			"/subscribe", "Back to the signup form")
	default:
		s.Log.Error("signup", "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong",
			"Your signup could not be saved. Please try again in a moment.")
	}
}

// domainTypo returns the address form signs up, and the question to ask
// first when its domain looks mistyped (nil when there is none). The
// question depends on the address typed alone, never on whether it is
// known, so it tells no one who subscribes. An answer counts only for
// the address in the field now: "use" signs up the suggestion for it,
// "keep" the address if it is the one the question was asked of. A reader
// who changed the address to another typo is asked about that one, and
// one who changed it to a good one is signed up with it, whichever button
// the post carries. That matters for the Enter key, which posts the
// form's first button, "use": a reader who pressed it without changing
// the address takes the suggestion, nearly always what they meant.
func domainTypo(form url.Values) (string, *typoQuestion) {
	email := form.Get("email")
	suggested, ok := subscribers.SuggestAddress(email)
	if !ok {
		return email, nil
	}
	typed, _ := subscribers.NormalizeEmail(email)
	switch {
	case chooses(form.Get(useSuggestedField), suggested):
		return suggested, nil
	case chooses(form.Get(keepTypedField), typed):
		return email, nil
	}
	return email, &typoQuestion{Typed: typed, Suggested: suggested,
		UseField: useSuggestedField, KeepField: keepTypedField}
}

// chooses reports whether answer, a button's value, chooses address, as
// the store tells addresses apart.
func chooses(answer, address string) bool {
	return answer != "" && subscribers.EmailKey(answer) == subscribers.EmailKey(address)
}

// checkSignup checks in as the signup would, storing nothing, when
// s.Signups can (*subscribers.Signups can): the form asks about a
// mistyped domain only once it has nothing to fix. Without a checker it
// asks at once, and the post that answers is checked as every signup is.
func (s *Server) checkSignup(ctx context.Context, in subscribers.Signup) error {
	if c, ok := s.Signups.(SignupChecker); ok {
		return c.Check(ctx, &in)
	}
	return nil
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

// formError answers a form that could not be read with a page, which
// links back to the page of the form, back (a path of this site), in
// words backText: the reader is not left on a dead end.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, back, backText string) {
	status := statusOf[bulletin.ErrorCode(err)]
	if status == 0 {
		status = http.StatusBadRequest
	}
	s.messagePageBack(w, r, status, "That did not work", bulletin.ErrorMessage(err), back, backText)
}

// checkEmail answers every signup, whatever the address: its words hold
// for a new address, a known one, one mailed a few minutes before (no new
// mail goes at once, that mail's link covers the lists asked since, and a
// mail naming them follows once the interval is over, its link replacing
// the last one: see subscribers.ConfirmInterval) and a reader on every
// list chosen already.
// It is short lines a reader on a phone takes in at a glance: what to
// look for, where else to look, and a way back for a mistyped address;
// the case of a second signup last, in small print. It names the sender
// as the mail shows it, the settings' From name.
//
// It names the address signed up, so that a typo shows, as this browser
// sent it (signupEmailCookie): never one given in its URL, where anyone's
// link could put any words, and the same whether or not the address is
// known.
func (s *Server) checkEmail(w http.ResponseWriter, r *http.Request) {
	d := &subscribeData{Title: "Check your inbox", CheckEmail: true, Email: signedUpEmail(r), Again: s.againURL(r)}
	if s.Settings != nil {
		if p, err := s.Settings.Publication(r.Context()); err == nil {
			d.From = p.FromName
		}
	}
	s.renderPage(w, r, http.StatusOK, "subscribe", d)
}

// againURL is where the check-email page r asks for sends a reader who
// signs up again: the one-list form its ?list= names (toCheckEmail puts it
// there after a signup from that form), while that list is public, else
// the form of every list. The list is no secret, unlike the address,
// which never goes in the URL.
func (s *Server) againURL(r *http.Request) string {
	q := r.URL.Query()["list"]
	if len(q) != 1 || s.Subscribers == nil {
		return "/subscribe"
	}
	lists, err := s.Subscribers.PublicLists(r.Context())
	if err != nil {
		return "/subscribe"
	}
	for _, l := range lists {
		if subscribers.SlugKey(l.Slug) == subscribers.SlugKey(q[0]) {
			return oneListURL(l.Slug)
		}
	}
	return "/subscribe"
}

// oneListURL is the address of the one-list signup form for slug, the
// form the embedded snippet for slug is when sent back (subscribeForm).
func oneListURL(slug string) string {
	return "/subscribe?" + url.Values{"list": {slug}, oneListField: {"1"}}.Encode()
}

// oneListSlug is the list of a form r posted from the one-list snippet,
// or "" for any other form.
func oneListSlug(r *http.Request) string {
	if parseForm(r) != nil || r.PostForm.Get(oneListField) == "" || len(r.PostForm["list"]) != 1 {
		return ""
	}
	return strings.TrimSpace(r.PostForm["list"][0])
}

// signupEmailCookie carries the address a signup form sent to the
// check-email page its answer redirects to, which names it: only the
// browser that typed it sends it back, for signupEmailAge, and only to
// that page (its Path). Its value is the address in base64url, as a
// cookie's value cannot hold every character an address may.
const signupEmailCookie = "bulletin_signup_email"

// signupEmailAge is how long, in seconds, the check-email page names the
// address: a reload, or a return to the tab after reading the mail, still
// shows it; a browser shared later does not.
const signupEmailAge = 10 * 60

// toCheckEmail answers a signup with a redirect to the check-email page,
// which then names email, the address signed up (signupEmailCookie). A
// signup from the one-list form names its list in the page's URL, for its
// "Sign up again" to lead back to that form (againURL).
func (s *Server) toCheckEmail(w http.ResponseWriter, r *http.Request, email string) {
	if email = strings.TrimSpace(email); email != "" && len(email) <= maxShownEmail {
		http.SetCookie(w, s.onceCookie(r, signupEmailCookie, base64.RawURLEncoding.EncodeToString([]byte(email)),
			"/subscribe/check-email", signupEmailAge))
	}
	to := "/subscribe/check-email"
	if slug := oneListSlug(r); slug != "" {
		to += "?" + url.Values{"list": {slug}}.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// maxShownEmail is the longest address the check-email page names: the
// form's maxlength, and a mail address's limit.
const maxShownEmail = 254

// signedUpEmail is the address of r's signupEmailCookie when it holds
// one the signup takes (subscribers.NormalizeEmail), as it was typed; ""
// otherwise.
// Anything else in the cookie is not shown: the page echoes an address,
// never arbitrary words.
func signedUpEmail(r *http.Request) string {
	c, err := r.Cookie(signupEmailCookie)
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) > maxShownEmail || !utf8.Valid(b) {
		return ""
	}
	if _, why := subscribers.NormalizeEmail(string(b)); why != "" {
		return ""
	}
	return string(b)
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
// body that decodes. So is a body without lists that has them under
// another name (misnamedLists): the answer says where they go.
func (s *Server) decodeSignup(r *http.Request) (*subscribers.Signup, error) {
	var in subscribers.Signup
	body, err := decodeJSONBody(r, &in)
	var misnamed map[string]string
	if len(in.Lists) == 0 && body != nil {
		misnamed = misnamedLists(body)
	}
	if err == nil && misnamed == nil {
		return &in, nil
	}
	if err == nil {
		err = bulletin.Invalid(map[string]string{})
	}
	fields := bulletin.ErrorFields(err)
	if fields == nil {
		return nil, err
	}
	for f, why := range misnamed {
		if _, named := fields[f]; !named {
			fields[f] = why
		}
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
