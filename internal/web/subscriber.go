package web

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A Signupper stores a reader's signup; *subscribers.Signups is one.
type Signupper interface {
	Signup(ctx context.Context, in *subscribers.Signup) error
}

// A PageRenderer renders a named HTML page; *templates.Templates is one.
type PageRenderer interface {
	Page(w io.Writer, name string, data any) error
}

// SubscriberDeps are what the subscriber pages and API need.
type SubscriberDeps struct {
	Signups Signupper
	Signer  *subscribers.Signer
	Pages   PageRenderer
	// SignupRate is the most signups a minute per client IP on the public
	// endpoints; 0 means no limit.
	SignupRate int
	// Confirms, when set, gets the confirmations of the pending readers an
	// admin adds or imports, so they go out within seconds; without it the
	// reconciler queues them within minutes.
	Confirms queue.Enqueuer
	// DataLinks mails a reader the links to download or erase their data,
	// which their preferences page asks for.
	DataLinks DataLinkSender
	// ImportMaxBytes bounds a CSV upload to /admin/subscribers/import;
	// 0 means DefaultImportMaxBytes.
	ImportMaxBytes int64

	limiter *ipLimiter
	imports importJobs
}

// subscriberRoutes registers the public signup pages and the subscriber
// and list API. The area stays dark until cmd wires its dependencies.
func (s *Server) subscriberRoutes() {
	if s.Signups == nil || s.Subscribers == nil || s.Pages == nil || s.Signer == nil {
		return
	}
	s.limiter = newIPLimiter(s.SignupRate)
	s.handle("GET /subscribe", s.subscribeForm)
	s.handle("POST /subscribe", s.rateLimit(s.subscribePost, false))
	s.handle("GET /subscribe/check-email", s.checkEmail)
	s.handle("GET /subscribe/embed", s.subscribeEmbed)
	s.mux.Handle("GET /subscribe/{$}", withoutSlash("/subscribe"))
	s.handle("POST /api/v1/subscriptions", cors(s.rateLimit(s.apiSubscribe, true)))
	s.handle("OPTIONS /api/v1/subscriptions", cors(preflight))
	// Its other methods' 405 carries the CORS headers too, so that the
	// page's script can read it: the API's catch-all answers without.
	s.handle("/api/v1/subscriptions", cors(func(w http.ResponseWriter, r *http.Request) { s.methodNotAllowed(w, r) }))
	s.handle("GET /confirm/{token}", tidyToken(s.confirm))
	s.handle("POST /confirm/{token}", tidyToken(s.confirm))
	s.handle("GET /unsubscribe/{token}", tidyToken(s.unsubscribeForm))
	s.handle("POST /unsubscribe/{token}", tidyToken(s.unsubscribe))
	s.handle("GET /preferences/{token}", tidyToken(s.preferencesForm))
	s.handle("POST /preferences/{token}", tidyToken(s.preferencesPost))
	s.dataLinkRoutes()
	s.cutLinkRoutes()

	api := func(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, s.requireToken(h)) }
	api("GET /api/v1/lists", s.listLists)
	api("POST /api/v1/lists", s.createList)
	api("GET /api/v1/lists/{slug}", s.getList)
	api("PATCH /api/v1/lists/{slug}", s.patchList)
	api("DELETE /api/v1/lists/{slug}", s.deleteList)
	api("GET /api/v1/subscribers", s.listSubscribers)
	api("POST /api/v1/subscribers", s.createSubscriber)
	api("GET /api/v1/subscribers/{id}", s.getSubscriber)
	api("PATCH /api/v1/subscribers/{id}", s.patchSubscriber)
	api("DELETE /api/v1/subscribers/{id}", s.eraseSubscriber)
	api("GET /api/v1/subscribers/{id}/export", s.exportSubscriber)
	api("POST /api/v1/subscribers/{id}/confirmation", s.resendConfirmation)
}

// tidyToken serves a reader link whose token is followed by characters
// no token holds: a full stop, a bracket or a ">" that an auto-linker or
// a reader's copy took with the link ("…/unsubscribe/TOKEN." at the end
// of a sentence), a space. A GET is sent on to the link as it was mailed,
// so the address and the page's own form are the real ones; a POST is
// served with the token as mailed. Only what is then a token's length is
// taken for one; a token changed within still fails its check.
func tidyToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The lengths tell whether anything was cut: nothing secret is
		// compared, the request holds both strings.
		raw := r.PathValue("token")
		cut := strings.TrimRightFunc(raw, notTokenRune)
		if len(cut) == len(raw) || !subscribers.TokenShaped(cut) {
			h(w, r)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, strings.TrimSuffix(r.URL.Path, raw)+cut+queryOf(r), http.StatusMovedPermanently)
			return
		}
		r.SetPathValue("token", cut)
		h(w, r)
	}
}

// notTokenRune reports whether r is outside the alphabet of the reader
// links' tokens (unpadded base64url, subscribers.Signer).
func notTokenRune(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

// queryOf is r's query with its "?", or "" when it has none.
func queryOf(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// cutLinkRoutes answers the reader links whose token is missing or is
// followed by more path, as a mail program leaves a link it cut short or
// mangled, with the page of a bad token and its 400: it says what to do
// instead, where a bare 404 would leave a reader who wants out stuck.
func (s *Server) cutLinkRoutes() {
	for _, link := range []struct {
		path, page string
		post       http.HandlerFunc // the link's own POST
	}{
		{"/confirm", "confirm_bad", s.confirm},
		{"/unsubscribe", "unsubscribe_bad", s.unsubscribe},
		{"/preferences", "preferences_bad", s.preferencesPost},
	} {
		bad := func(w http.ResponseWriter, r *http.Request) {
			// "/preferences/TOKEN/": the token and a slash or two, sent on,
			// or, for a POST (a one-click unsubscribe of a link with a
			// slash after it), served with the token as mailed, as
			// tidyToken serves one with a full stop after it.
			rest := r.PathValue("rest")
			if cut := strings.TrimRightFunc(rest, notTokenRune); len(cut) < len(rest) && subscribers.TokenShaped(cut) {
				if r.Method == http.MethodPost {
					r.SetPathValue("token", cut)
					link.post(w, r)
					return
				}
				http.Redirect(w, r, link.path+"/"+cut+queryOf(r), http.StatusMovedPermanently)
				return
			}
			s.badLinkPage(w, r, link.page)
		}
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			s.handle(method+" "+link.path, bad)
			s.handle(method+" "+link.path+"/{rest...}", bad)
		}
	}
}
