package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// preferencesData is the data of pages/preferences.html.
type preferencesData struct {
	Title string
	Email string
	Name  string
	// Frequency is the one the form shows chosen: the reader's own, or
	// the one a form sent back to be fixed chose.
	Frequency string
	Lists     []subscribers.ListChoice
	Errors    map[string]string
	Saved     bool
	// Now says what the reader gets, as stored, when it is not simply
	// the lists ticked (receiving); "" when it is.
	Now string
	// Stopped is whether no mail comes to the reader at all: the page
	// then offers no way to stop it.
	Stopped bool
	// UnsubscribeURL leads to the one-button page that stops all mail.
	UnsubscribeURL string
	// DataURL and EraseURL lead to the pages that mail the reader the
	// link that downloads what is stored about them, or the one that
	// erases it (preferences_data_link.html).
	DataURL, EraseURL string
	// Digest is what the page offers and says of digests.
	Digest digestOffer
	// Waiting is what the page says beside a list that waits for the
	// reader's confirmation (subscribers.ListChoice.Waiting; waitingNote).
	Waiting string
	// Chosen, when not nil, are the slugs of the lists a form sent back to
	// be fixed had ticked: they stay ticked, and no others.
	Chosen []string
}

// preferencesSavedCookie tells the page a saved form is redirected to
// that it was saved just now. The page says so once and clears it: a
// flag in the address said "saved" again at every reload, and from a
// bookmark days later. It is set for that page alone (its path holds the
// link's token) and for a minute at most, the redirect being followed at
// once.
const preferencesSavedCookie = "bulletin_preferences_saved"

func (s *Server) preferencesForm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.preferencesReader(w, r)
	if !ok {
		return
	}
	s.renderPreferences(w, r, id, http.StatusOK, &preferencesData{Saved: s.takeSaved(w, r)})
}

// takeSaved reports whether the preferences form of this page was saved
// just now (preferencesSavedCookie), and clears the cookie, so that the
// page says so this once.
func (s *Server) takeSaved(w http.ResponseWriter, r *http.Request) bool {
	if _, err := r.Cookie(preferencesSavedCookie); err != nil {
		return false
	}
	http.SetCookie(w, s.savedCookie(r, -1))
	return true
}

// savedCookie is preferencesSavedCookie for the preferences page of r,
// kept maxAge seconds (-1 clears it).
func (s *Server) savedCookie(r *http.Request, maxAge int) *http.Cookie {
	return s.onceCookie(r, preferencesSavedCookie, "1", preferencesPath(r), maxAge)
}

// preferencesURL is the address of reader id's preferences page, as a
// page shown to the reader links to it.
func (s *Server) preferencesURL(id int64) string {
	return "/preferences/" + s.Signer.Sign(subscribers.TokenPreferences, id, 0)
}

// preferencesPath is the address of the preferences page of r. The
// token, already verified, is the only part of the request it repeats.
func preferencesPath(r *http.Request) string {
	return "/preferences/" + url.PathEscape(r.PathValue("token"))
}

// preferencesReader is the reader whose preferences link was followed,
// or false once it has answered a test send's link or a bad one.
func (s *Server) preferencesReader(w http.ResponseWriter, r *http.Request) (int64, bool) {
	if s.testLink(w, r, "preferences page") {
		return 0, false
	}
	id, err := s.Signer.Verify(subscribers.TokenPreferences, r.PathValue("token"))
	if err != nil {
		s.badLinkPage(w, r, "preferences_bad")
		return 0, false
	}
	return id, true
}

// renderPreferences shows subscriber id's preferences as stored or, when
// d sends a form back to be fixed (d.Chosen is not nil), what it chose.
// What the reader gets now is said of the lists as stored; the digest
// offer, which depends only on the lists shown (refusal), of those ticked.
func (s *Server) renderPreferences(w http.ResponseWriter, r *http.Request, id int64, status int, d *preferencesData) {
	sub, choices, err := s.Subscribers.PreferencesOf(r.Context(), id)
	if s.readerFailed(w, r, err) {
		return
	}
	d.Now, d.Stopped = receiving(sub, choices)
	d.Waiting = waitingNote(sub)
	if d.Chosen == nil {
		d.Name, d.Frequency = sub.Name, sub.Frequency
	} else { // a form sent back to be fixed shows what was ticked
		chosen := map[string]bool{} // by SlugKey, as SetPreferences matches them: "DAILY-NEWS" ticks daily-news
		for _, slug := range d.Chosen {
			chosen[subscribers.SlugKey(slug)] = true
		}
		for i := range choices {
			choices[i].Checked = chosen[subscribers.SlugKey(choices[i].Slug)]
		}
	}
	d.Digest = offerDigest(choices)
	if d.Digest.refusal(d.Frequency, sub.Frequency) != "" {
		d.Frequency = sub.Frequency // a frequency refused is not shown chosen, nor carried in the form
	}
	d.Title, d.Email, d.Lists = "Your preferences", sub.Email, choices
	if len(d.Errors) > 0 {
		d.Title = "Error: Your preferences" // what a screen reader reads first
	}
	d.UnsubscribeURL = "/unsubscribe/" + s.Signer.Sign(subscribers.TokenUnsubscribe, id, 0)
	d.DataURL, d.EraseURL = preferencesPath(r)+"/data", preferencesPath(r)+"/erase"
	s.renderPage(w, r, status, "preferences", d)
}

// readerFailed answers a failed read or change of a reader's own link's
// reader, and reports whether there was one: the erased page (410) for a
// reader erased since, else the error page.
func (s *Server) readerFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		s.erasedPage(w, r, http.StatusGone)
	} else if err != nil {
		s.pageError(w, r, err)
	}
	return err != nil
}

// preferencesPost saves the form and redirects to the page, which then
// says so: reloading it sends nothing again. A form refused is sent back,
// with what it chose, and changes nothing; a frequency the page does not
// offer (digestOffer.refusal) is refused.
func (s *Server) preferencesPost(w http.ResponseWriter, r *http.Request) {
	id, ok := s.preferencesReader(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.formError(w, r, err, preferencesPath(r), "Back to your preferences")
		return
	}
	p := subscribers.Preferences{Name: r.PostForm.Get("name"), Frequency: r.PostForm.Get("frequency"), Lists: r.PostForm["list"], Shown: r.PostForm["shown"]}
	back := func(fields map[string]string) *preferencesData {
		return &preferencesData{Name: p.Name, Frequency: p.Frequency, Chosen: append([]string{}, p.Lists...), Errors: sentences(fields)}
	}
	sub, choices, err := s.Subscribers.PreferencesOf(r.Context(), id)
	if err == nil {
		if fields := preferencesProblems(p, sub, choices); len(fields) > 0 {
			s.renderPreferences(w, r, id, http.StatusUnprocessableEntity, back(fields))
			return
		}
		err = s.Subscribers.SetPreferences(r.Context(), id, p)
	}
	switch bulletin.ErrorCode(err) {
	case "":
		s.preferencesRedirect(w, r)
	case bulletin.EINVALID:
		s.renderPreferences(w, r, id, http.StatusUnprocessableEntity, back(bulletin.ErrorFields(err)))
	case bulletin.ENOTFOUND:
		s.erasedPage(w, r, http.StatusGone)
	default:
		s.pageError(w, r, err)
	}
}

// preferencesProblems names every field of p at fault at once, as the
// signup form does: SetPreferences stops at the first it finds. The
// frequency is held to what the page offers (digestOffer.refusal), the
// lists to those it shows, matched as SetPreferences matches them.
func preferencesProblems(p subscribers.Preferences, sub *subscribers.Subscriber, choices []subscribers.ListChoice) map[string]string {
	fields := map[string]string{}
	if _, msg := subscribers.NormalizeName(p.Name); msg != "" {
		fields["name"] = msg
	}
	if msg := offerDigest(choices).refusal(p.Frequency, sub.Frequency); msg != "" {
		fields["frequency"] = msg
	}
	shown := map[string]bool{}
	for _, c := range choices {
		shown[subscribers.SlugKey(c.Slug)] = true
	}
	for _, slug := range p.Lists {
		if slug = strings.TrimSpace(slug); slug != "" && !shown[subscribers.SlugKey(slug)] {
			fields["lists"] = "choose among the lists shown"
			break
		}
	}
	return fields
}

// preferencesRedirect answers a saved form with a 303 to the page it came
// from, which then says it was saved (preferencesSavedCookie): a reload
// sends nothing again, and the address is the page's own. Its answer is
// kept from caches and referrers, as the pages with the token are
// (renderPage).
func (s *Server) preferencesRedirect(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	http.SetCookie(w, s.savedCookie(r, onceCookieAge))
	http.Redirect(w, r, preferencesPath(r), http.StatusSeeOther)
}
