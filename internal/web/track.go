package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// TrackDeps are what the tracked links and the open pixel need (SPEC §7);
// with Tokens nil neither route is served.
type TrackDeps struct {
	Tokens   *tracking.Signer
	Links    *tracking.Links
	Recorder *tracking.Recorder
	// Reports serves the campaign and list reports; nil serves none.
	Reports *tracking.Reports
}

// trackRoutes registers GET (and HEAD) /r/{token} and /o/{token}.gif.
func (s *Server) trackRoutes() {
	s.reportRoutes()
	if s.TrackDeps.Tokens == nil || s.TrackDeps.Links == nil || s.TrackDeps.Recorder == nil {
		return
	}
	s.handle("GET /r/{token}", s.trackClick)
	s.handle("GET /o/{token}", s.trackOpen)
}

// trackPaths serves GET and HEAD under /r/ and /o/ before the mux sees
// them: the mux would answer a path it cleans (/r//x, /r/a/../b) with a
// redirect, and a tracked link that is not one must be a 404, never a
// redirect of any kind. It also spares the hottest route the mux's match.
func (s *Server) trackPaths(next http.Handler) http.Handler {
	if s.TrackDeps.Tokens == nil || s.TrackDeps.Links == nil || s.TrackDeps.Recorder == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if tok, ok := strings.CutPrefix(r.URL.Path, "/r/"); ok {
			r.Pattern = "GET /r/{token}"
			r.SetPathValue("token", tok)
			s.trackClick(w, r)
			return
		}
		if tok, ok := strings.CutPrefix(r.URL.Path, "/o/"); ok {
			r.Pattern = "GET /o/{token}"
			r.SetPathValue("token", tok)
			s.trackOpen(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// trackClick sends the reader on to the link's URL at once and hands the
// click to the recorder. Only a correctly signed token naming a stored
// link redirects: anything else is a 404 page, so the redirect can never
// send anyone to a URL of someone else's choosing.
func (s *Server) trackClick(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	c, err := s.TrackDeps.Tokens.ParseClick(r.PathValue("token"))
	if err != nil {
		s.trackNotFound(w, r)
		return
	}
	camp, err := s.TrackDeps.Links.Campaign(r.Context(), c.Campaign)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		s.trackNotFound(w, r)
		return
	} else if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	url, ok := camp.URL(c.Index)
	if !ok {
		s.trackNotFound(w, r)
		return
	}
	if (camp.Tracking == tracking.On || camp.Tracking == tracking.Anonymous) && !s.editorClick(r) {
		err := s.TrackDeps.Recorder.Click(tracking.Hit{Campaign: c.Campaign, Link: c.Index, Delivery: c.Delivery,
			Mode: camp.Tracking, Links: len(camp.Links), At: at, Method: r.Method, UserAgent: r.UserAgent()})
		if err != nil {
			s.Log.Warn("click not recorded", "campaign", c.Campaign, "err", err)
		}
	}
	h := w.Header()
	h["Location"] = []string{url}
	h["Cache-Control"] = noStore
	h["Referrer-Policy"] = noReferrer
	w.WriteHeader(http.StatusFound)
}

// editorClick says r carries the cookie of a live admin session: an
// editor following a link of the outbox's preview, or of a test send in
// their own mailbox in the browser they work in, is no reader, and their
// click is not counted. The cookie is sent on the click (Path /, SameSite
// Lax: a link opened from a mail or a preview is a top-level GET). A
// reader has no such cookie, so their clicks cost no lookup.
func (s *Server) editorClick(r *http.Request) bool {
	if s.Admins == nil {
		return false
	}
	if _, err := r.Cookie(sessionCookie); err != nil {
		return false
	}
	return s.cookieSession(r) != nil
}

var (
	noStore    = []string{"no-store"}
	noReferrer = []string{"no-referrer"}
	noIndex    = []string{"noindex"}
)

// trackNotFound is the page for a tracked link that is not one.
func (s *Server) trackNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header()["X-Robots-Tag"] = noIndex
	s.messagePage(w, r, http.StatusNotFound, "This link does not work",
		"The link is incomplete or was altered. Copy the whole link from the mail, or open the message again and click it there.")
}

// pixelGIF is a transparent 1×1 GIF.
var pixelGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00" +
	"!\xf9\x04\x01\x00\x00\x00\x00" +
	",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

var pixelLength = []string{strconv.Itoa(len(pixelGIF))}

// trackOpen answers the open pixel: always the GIF, whatever the token,
// so a mail never shows a broken image; an open is recorded only for a
// good token of a campaign whose opens are on.
func (s *Server) trackOpen(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if tok, ok := strings.CutSuffix(r.PathValue("token"), ".gif"); ok {
		if campaign, delivery, err := s.TrackDeps.Tokens.ParseReader(tok); err == nil {
			s.recordOpen(r, campaign, delivery, at)
		}
	}
	h := w.Header()
	h["Content-Type"] = []string{"image/gif"}
	h["Content-Length"] = pixelLength
	h["Cache-Control"] = noStore
	h["Referrer-Policy"] = noReferrer
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(pixelGIF)
	}
}

func (s *Server) recordOpen(r *http.Request, campaign, delivery int64, at time.Time) {
	camp, err := s.TrackDeps.Links.Campaign(r.Context(), campaign)
	if err != nil {
		if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			s.Log.Error("open not recorded", "campaign", campaign, "err", err)
		}
		return
	}
	if !camp.Opens || camp.Tracking == tracking.Off {
		return
	}
	err = s.TrackDeps.Recorder.Open(tracking.Hit{Campaign: campaign, Delivery: delivery, Mode: camp.Tracking,
		At: at, Method: r.Method, UserAgent: r.UserAgent()})
	if err != nil {
		s.Log.Warn("open not recorded", "campaign", campaign, "err", err)
	}
}
