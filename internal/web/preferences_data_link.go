package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A DataLinkSender mails a reader the link that downloads their data or
// the one that erases it (subscribers.TokenDataDownload, TokenDataErase),
// at most one a purpose each subscribers.DataLinkInterval. Send takes the
// ask, committed so that a restart sends it still, and returns before the
// mail goes, in the same time whether or not one goes; nil when nothing
// goes for a reason the page does not tell (a mail sent lately, an
// address that bounced); EUNAVAILABLE when the ask could not be stored.
// *subscribers.DataLinks is one; serve resumes its unsent asks at start
// (DataLinks.Resume).
type DataLinkSender interface {
	Send(ctx context.Context, id int64, purpose string) error
}

var _ DataLinkSender = (*subscribers.DataLinks)(nil)

// dataLinkData is the data of pages/preferences_data_link.html.
type dataLinkData struct {
	Title string
	Email string
	// Erase is whether the page asks for the erase link; else for the
	// download's.
	Erase bool
	// Sent is whether the reader just asked (dataLinkSentCookie).
	Sent bool
	// Bounced is whether mail to the address bounced, as the preferences
	// page says already (receiving): no link is mailed to it, and the page
	// says so, and whom to write to instead, Contact (the Reply-To or
	// From address; "" when unknown).
	Bounced        bool
	Contact        string
	Minutes        int // subscribers.DataLinkInterval
	PreferencesURL string
}

// dataLinkSentCookie tells the page a press of its button is redirected
// to that it was pressed just now, as preferencesSavedCookie tells the
// preferences page: a reload shows the page's button again and sends
// nothing.
const dataLinkSentCookie = "bulletin_data_link_sent"

// dataLinkAskWait bounds the taking of an ask (DataLinkSender.Send: a
// read of the reader and the ask's commit), not the mail, which goes
// after the answer. The reader's going away does not cut it short.
const dataLinkAskWait = 10 * time.Second

// dataLinkRoutes registers the pages of the preferences page's "Your
// data": /preferences/{token}/data and /erase ask for a link by mail, and
// the mailed links' own pages (/data/{token}, /erase/{token}) download
// the data or erase it. Those two are links of a mail, so tidyToken
// mends what an auto-linker took with them; the preferences page's links
// are no mail's, and a token mangled in them fails its check.
func (s *Server) dataLinkRoutes() {
	s.handle("GET /preferences/{token}/data", s.dataLinkAsk(subscribers.TokenDataDownload))
	s.handle("POST /preferences/{token}/data", s.dataLinkSend(subscribers.TokenDataDownload))
	s.handle("GET /preferences/{token}/erase", s.dataLinkAsk(subscribers.TokenDataErase))
	s.handle("POST /preferences/{token}/erase", s.dataLinkSend(subscribers.TokenDataErase))
	s.handle("GET /data/{token}", tidyToken(s.dataDownload))
	s.handle("GET /erase/{token}", tidyToken(s.eraseForm))
	s.handle("POST /erase/{token}", tidyToken(s.erase))
}

// dataLinkAsk shows the page that asks for purpose's link by mail, with
// one button that POSTs to dataLinkSend; after that button, the page
// saying it was sent. A GET changes nothing.
func (s *Server) dataLinkAsk(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.preferencesReader(w, r)
		if !ok {
			return
		}
		sub, err := s.Subscribers.Get(r.Context(), id)
		if s.readerFailed(w, r, err) {
			return
		}
		d := dataLinkData{Email: sub.Email, Erase: purpose == subscribers.TokenDataErase,
			Minutes: int(subscribers.DataLinkInterval / time.Minute), PreferencesURL: preferencesPath(r)}
		d.Sent = s.takeDataLinkSent(w, r, purpose)
		if sub.Status == subscribers.StatusBounced {
			d.Bounced, d.Sent, d.Contact = true, false, s.contactAddress(r.Context())
		}
		switch {
		case d.Sent:
			d.Title = "Check your email"
		case d.Erase:
			d.Title = "Delete your data"
		default:
			d.Title = "Download your data"
		}
		s.renderPage(w, r, http.StatusOK, "preferences_data_link", d)
	}
}

// dataLinkSend asks DataLinkSender to mail the reader of the preferences
// link purpose's link and redirects to the page, which then says it was
// sent: the same, in the same time, whether or not a mail goes, so the
// page tells whoever holds the preferences link nothing of the reader's
// mailbox. The mail goes after the answer: a slow relay keeps no one
// waiting. Only a bounced reader, whom the preferences page tells so
// already, is told instead that no link can be mailed. The signed token
// is the authorization, as for the page's other forms: a reader has no
// session, so no CSRF token.
func (s *Server) dataLinkSend(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.preferencesReader(w, r)
		if !ok {
			return
		}
		if s.DataLinks == nil {
			s.pageError(w, r, errors.New("data link: no sender wired"))
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), dataLinkAskWait)
		defer cancel()
		err := s.DataLinks.Send(ctx, id, purpose)
		switch code := bulletin.ErrorCode(err); {
		case code == bulletin.ENOTFOUND:
			s.erasedPage(w, r, http.StatusGone)
			return
		case code == bulletin.EUNAVAILABLE:
			// The ask could not be stored (a full disk): it would not
			// survive a restart, so the reader is not told it is on its
			// way, but to try again in a minute (503).
			s.pageError(w, r, err)
			return
		case err != nil:
			// The reader is told it went, and may ask again at once. The
			// error names the reader by id, never by address or link.
			s.Log.Warn("data link not sent", "subscriber", id, "purpose", purpose, "err", err)
		}
		path := dataLinkAskPath(r, purpose)
		h := w.Header()
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		http.SetCookie(w, s.onceCookie(r, dataLinkSentCookie, "1", path, onceCookieAge))
		http.Redirect(w, r, path, http.StatusSeeOther)
	}
}

// contactAddress is the address a reader writes to: the publication's
// Reply-To, else its From address; "" when the settings cannot be read.
func (s *Server) contactAddress(ctx context.Context) string {
	if s.Settings == nil {
		return ""
	}
	p, err := s.Settings.Publication(ctx)
	if err != nil {
		s.Log.Warn("read the publication for its contact address", "err", err)
		return ""
	}
	if a, err := mail.ParseAddress(p.ReplyTo); err == nil {
		return a.Address
	}
	return p.FromAddress
}

// takeDataLinkSent reports whether the page of r was just asked for its
// link (dataLinkSentCookie), and clears the cookie, so that it says so
// this once.
func (s *Server) takeDataLinkSent(w http.ResponseWriter, r *http.Request, purpose string) bool {
	if _, err := r.Cookie(dataLinkSentCookie); err != nil {
		return false
	}
	http.SetCookie(w, s.onceCookie(r, dataLinkSentCookie, "1", dataLinkAskPath(r, purpose), -1))
	return true
}

// dataLinkAskPath is the address of the page of r that asks for
// purpose's link.
func dataLinkAskPath(r *http.Request, purpose string) string {
	if purpose == subscribers.TokenDataErase {
		return preferencesPath(r) + "/erase"
	}
	return preferencesPath(r) + "/data"
}

// dataLinkBadData is the data of pages/data_link_bad.html.
type dataLinkBadData struct {
	// Expired is whether the link was signed as it should be and its
	// time is up, rather than altered.
	Expired bool
}

// dataLinkReader is the reader whose mailed link for purpose was
// followed, and when the link stops working, or false once it has
// answered a link that is expired or does not work: with the 400 of the
// other links' bad-link pages (badLinkPage), saying how to get a new one.
func (s *Server) dataLinkReader(w http.ResponseWriter, r *http.Request, purpose string) (int64, time.Time, bool) {
	id, until, err := s.Signer.VerifyUntil(purpose, r.PathValue("token"))
	if err != nil {
		s.renderPage(w, r, http.StatusBadRequest, "data_link_bad", dataLinkBadData{Expired: errors.Is(err, subscribers.ErrExpiredToken)})
		return 0, time.Time{}, false
	}
	return id, until, true
}
