package web

import (
	"errors"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/subscribers"
)

// confirmedData is the data of pages/confirmed.html.
type confirmedData struct {
	Title string
	Lists []confirmedList
	// Notes say when a change of digest frequency the reader made takes
	// effect, on the lists where it has not yet (as on the preferences
	// page).
	Notes          []string
	PreferencesURL string
}

// badLinkData is the data of the pages of a link that does not work
// (pages/confirm_bad.html, unsubscribe_bad.html, preferences_bad.html),
// and of an erased reader's link (pages/erased.html).
type badLinkData struct {
	// Signup is whether a reader can sign up here now (signupOpen). The
	// pages offer the signup form as the way to fresh links only then:
	// on an install with no public list it answers "Not open yet".
	Signup bool
	// UnsubscribedSince (confirm_bad only): the link is the latest
	// mail's, and the reader was unsubscribed after it went.
	UnsubscribedSince bool
	// ListsGone (confirm_bad only): the link is the latest mail's, and
	// every list it asked for has been deleted since (ErrListsGone), so
	// it confirmed nothing. PreferencesURL is then a confirmed reader's
	// preferences page, which shows the lists they keep; "" for a reader
	// not confirmed, whom the page offers the signup form.
	ListsGone      bool
	PreferencesURL string
	// JustErased (erased only): the reader erased their data with this
	// very request (erase), so the page says it is done
	// rather than that the link no longer works.
	JustErased bool
}

// confirmAskData is the data of pages/confirm_ask.html.
type confirmAskData struct{ Title string }

// confirm is the link of the confirmation mail: GET (a person following
// it) and POST (the button of pages/confirm_ask.html) confirm alike, and
// again and again. Double opt-in means a person clicked, so what follows
// links on their own confirms no one: a HEAD (a link checker) and a GET
// from a mail gateway's scanner, a link previewer or Office's prefetch
// (tracking.IsLinkScanner) change nothing and get a page whose button
// POSTs here. The token in the URL is
// the capability: the form carries nothing else.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && tracking.IsLinkScanner(r.Method, r.UserAgent()) {
		s.renderPage(w, r, http.StatusOK, "confirm_ask", confirmAskData{Title: "Confirm your subscription"})
		return
	}
	sub, err := s.Subscribers.ConfirmLink(r.Context(), s.Signer, r.PathValue("token"))
	if errors.Is(err, subscribers.ErrUnsubscribedSince) {
		// Only the holder of the signed link sees why: it says nothing
		// of an address to whoever typed it.
		s.renderPage(w, r, http.StatusBadRequest, "confirm_bad", badLinkData{Signup: s.signupOpen(r), UnsubscribedSince: true})
		return
	} else if errors.Is(err, subscribers.ErrListsGone) {
		// Nothing was confirmed: a page that says "You're subscribed"
		// would promise mail from a list that no longer exists. Only the
		// holder of the latest link gets here.
		d := badLinkData{Signup: s.signupOpen(r), ListsGone: true}
		if sub != nil && sub.Status == subscribers.StatusConfirmed {
			d.PreferencesURL = s.preferencesURL(sub.ID)
		}
		s.renderPage(w, r, http.StatusGone, "confirm_bad", d)
		return
	} else if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		// This one has a way out the reader can take at once while a
		// public list takes signups: signing up again. An older mail's
		// link lands here too, on the page a made-up token gets: its
		// signature names its mail's confirm_sent_at, which the newer
		// mail overwrote, so it cannot be checked, and a page of its own
		// would answer for whatever id a forged token claims.
		s.badLinkPage(w, r, "confirm_bad")
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := confirmedData{Title: "You're subscribed", PreferencesURL: s.preferencesURL(sub.ID)}
	d.Lists, d.Notes = s.confirmedLists(r, sub)
	s.renderPage(w, r, http.StatusOK, "confirmed", d)
}

// unsubscribeData is the data of pages/unsubscribe.html.
type unsubscribeData struct {
	Title          string
	Email          string
	Done           bool
	PreferencesURL string
	// List is the list a list's link leaves (see unsubscribeListData),
	// when the reader is on others they keep: "" for a page that stops
	// all mail. Others names those lists ("A, B and C"), AllURL is the
	// page that leaves them too.
	List   string
	Others string
	AllURL string
	// OneList is whether the page that stops all mail is that of a
	// reader on one list at most: "leave one list" is no way out for
	// them, so it offers another list, or fewer mails, instead.
	OneList bool
}

// unsubscribeForm shows one button. A GET changes nothing: mail scanners
// fetch every link.
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	if s.testLink(w, r, "unsubscribe page") {
		return
	}
	if id, list, err := s.Signer.VerifyList(r.PathValue("token")); err == nil {
		d, err := s.unsubscribeListData(r, id, list)
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			s.erasedPage(w, r, http.StatusOK)
		} else if err != nil {
			s.pageError(w, r, err)
		} else {
			s.renderPage(w, r, http.StatusOK, "unsubscribe", d)
		}
		return
	}
	id, err := s.Signer.Verify(subscribers.TokenUnsubscribe, r.PathValue("token"))
	if err != nil {
		s.badLinkPage(w, r, "unsubscribe_bad")
		return
	}
	sub, err := s.Subscribers.Get(r.Context(), id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		s.erasedPage(w, r, http.StatusOK)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	// A bounced reader who asked to leave keeps the status bounced: their
	// request shows in unsubscribed_at.
	done := sub.Status == subscribers.StatusUnsubscribed || sub.UnsubscribedAt != nil
	d := unsubscribeData{Title: "Unsubscribe", Email: sub.Email, Done: done, OneList: len(sub.Lists) <= 1}
	if d.Done {
		d.Title = "You are unsubscribed"
	}
	// The mail that carried this link carries the preferences link too,
	// and the button's answer gives it: offering it here, to leave one
	// list rather than all, opens nothing new.
	d.PreferencesURL = s.preferencesURL(id)
	s.renderPage(w, r, http.StatusOK, "unsubscribe", d)
}

// unsubscribeListData is the page of the unsubscribe link in the mail of
// list (subscribers.TokenUnsubscribeList), whose button and one-click
// leave that list only. A reader on no other list gets the page that
// stops all mail, since leaving their one list does; one on others is
// told which they keep, and offered the page that leaves them all.
func (s *Server) unsubscribeListData(r *http.Request, id, list int64) (unsubscribeData, error) {
	l, err := s.Subscribers.ListLeaveOf(r.Context(), id, list)
	if err != nil {
		return unsubscribeData{}, err
	}
	d := unsubscribeData{Title: "Unsubscribe", Email: l.Email,
		PreferencesURL: s.preferencesURL(id)}
	switch {
	case l.Everything:
		d.Done, d.Title = true, "You are unsubscribed"
	case l.List == "" || len(l.Others) == 0:
		// The list is gone, or the reader gets no other (they may have
		// left this one already, yet not everything: a bounced reader
		// whose lists an editor could mail again): the button stops all
		// mail (LeaveList), and the page asks that.
		d.OneList = len(l.Others) == 0
	default:
		// The others are named as a sentence names them: takenList's
		// "only A", the API errors' wording, would read on a reader's page
		// as if they had chosen to get less.
		d.List, d.Others, d.Done = l.List, prose.And(l.Others), l.Left
		d.AllURL = "/unsubscribe/" + s.Signer.Sign(subscribers.TokenUnsubscribe, id, 0)
		d.Title = "Unsubscribe from " + l.List
		if d.Done {
			d.Title = "You left " + l.List
		}
	}
	return d, nil
}

// erasedPage answers a reader's link, signed as it should be, whose reader
// is no longer held: erased, at their request or the publisher's. Ids are
// never used again (AUTOINCREMENT), so such a link names no one else, and
// the page says so plainly rather than call the link broken or offer a
// preferences page that cannot open. Only the holder of the mail gets
// here, and the page names no address. status is the link's: an
// unsubscribe's is 200, since what it asks for holds (no mail goes), and
// so RFC 8058 senders read it as done; a preferences page's is 410, the
// page being gone for good.
func (s *Server) erasedPage(w http.ResponseWriter, r *http.Request, status int) {
	s.renderPage(w, r, status, "erased", badLinkData{Signup: s.signupOpen(r)})
}

// unsubscribe is both the page's button and RFC 8058 one-click: no login,
// no cookie, effective at once, for a body that asks for it
// (oneClickRefused). An erased subscriber is already gone,
// which is what was asked, and the page says so. The page's button is
// answered with a redirect to the page, which then says it is done, so
// that reloading it does not ask to send the form again; a mail
// program's one-click gets its 200 and the page at once.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if s.testLink(w, r, "unsubscribe page") || oneClickRefused(w, r) {
		return
	}
	if id, list, err := s.Signer.VerifyList(r.PathValue("token")); err == nil {
		s.leaveList(w, r, id, list)
		return
	}
	id, err := s.Signer.Verify(subscribers.TokenUnsubscribe, r.PathValue("token"))
	if err != nil {
		s.badLinkPage(w, r, "unsubscribe_bad")
		return
	}
	if err := s.Subscribers.Unsubscribe(r.Context(), id); bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		s.erasedPage(w, r, http.StatusOK)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	if r.PostFormValue(unsubscribeFromPage) != "" {
		http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
		return
	}
	s.renderPage(w, r, http.StatusOK, "unsubscribe", unsubscribeData{
		Title: "You are unsubscribed", Done: true,
		PreferencesURL: s.preferencesURL(id),
	})
}

// leaveList is unsubscribe for the link of list's mail: the reader leaves
// that list (subscribers.Store.LeaveList), and the answer is as
// unsubscribe's.
func (s *Server) leaveList(w http.ResponseWriter, r *http.Request, id, list int64) {
	err := s.Subscribers.LeaveList(r.Context(), id, list)
	var d unsubscribeData
	if err == nil && r.PostFormValue(unsubscribeFromPage) == "" {
		d, err = s.unsubscribeListData(r, id, list)
	}
	switch {
	case bulletin.ErrorCode(err) == bulletin.ENOTFOUND:
		s.erasedPage(w, r, http.StatusOK)
	case err != nil:
		s.pageError(w, r, err)
	case r.PostFormValue(unsubscribeFromPage) != "":
		http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
	default:
		s.renderPage(w, r, http.StatusOK, "unsubscribe", d)
	}
}

// unsubscribeFromPage is the field the unsubscribe page's form sends
// beside RFC 8058's List-Unsubscribe=One-Click, which it sends too.
const unsubscribeFromPage = "page"

// testLink answers a link of a test send (campaigns.TestToken), which
// names no reader, with a page saying so, and reports whether it did. An
// editor checking a test mail follows its links: a GET and a POST alike
// get a 200 and change nothing.
func (s *Server) testLink(w http.ResponseWriter, r *http.Request, page string) bool {
	if r.PathValue("token") != campaigns.TestToken {
		return false
	}
	s.messagePage(w, r, http.StatusOK, "This link is from a test send",
		"It works: in the real mail, this link takes each reader to their own "+page+". A test send names no reader, so nothing was changed.")
	return true
}

// pageError logs an unexpected error and shows a page without its detail.
// A write that failed for a full disk (EUNAVAILABLE) is answered as the
// signup form answers it (unavailablePage).
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if bulletin.ErrorCode(err) == bulletin.EUNAVAILABLE {
		s.unavailablePage(w, r, err)
		return
	}
	s.Log.Error("internal error", "route", r.Pattern, "err", err)
	s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
}

// unavailablePage answers a reader whose confirmation, unsubscribe or
// save could not be stored because the disk is full: 503 with
// Retry-After, as the signup form and the API answer it, since it is not
// the reader's doing and may pass once space is freed, where a 500 told
// them something was wrong with their link. A mail program's one-click
// reads the 503 as "try again later". The page links to the address the
// reader came to, whose GET shows its page again or, for a confirmation
// link, confirms.
func (s *Server) unavailablePage(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("nothing can be stored", "route", r.Pattern, "err", err)
	w.Header().Set("Retry-After", unavailableRetry)
	s.messagePageBack(w, r, http.StatusServiceUnavailable, "Briefly unavailable",
		"The server cannot store anything right now, so nothing was changed. Please try again in a minute.",
		r.URL.Path, "Try again")
}
