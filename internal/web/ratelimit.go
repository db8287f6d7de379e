package web

import (
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// An ipLimiter allows each client address a number of events a minute,
// with a burst of the same size. IPv6 clients are counted per /64, since
// one host usually holds a whole /64.
type ipLimiter struct {
	perMin int
	mu     sync.Mutex
	byIP   map[netip.Addr]*visitor
	swept  time.Time
}

type visitor struct {
	lim  *rate.Limiter
	seen time.Time
}

// newIPLimiter returns a limiter of perMin events a minute; 0 = no limit.
func newIPLimiter(perMin int) *ipLimiter {
	return &ipLimiter{perMin: perMin, byIP: map[netip.Addr]*visitor{}, swept: time.Now()}
}

// allow reports whether ip may act now and, if not, how long to wait.
func (l *ipLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	if l == nil || l.perMin <= 0 {
		return true, 0
	}
	key := limitKey(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	v, ok := l.byIP[key]
	if !ok {
		v = &visitor{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMin)), l.perMin)}
		l.byIP[key] = v
	}
	v.seen = now
	r := v.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets clients idle for over a minute: their buckets are full
// again, so a new limiter is the same.
func (l *ipLimiter) sweep(now time.Time) {
	for k, v := range l.byIP {
		if now.Sub(v.seen) > time.Minute {
			delete(l.byIP, k)
		}
	}
	l.swept = now
}

func limitKey(ip string) netip.Addr {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Addr{}
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// rateLimit answers 429 with Retry-After once a client is over the signup
// rate, as JSON for the API and as a page for the form. The words give the
// same wait as the header.
func (s *Server) rateLimit(next http.HandlerFunc, asJSON bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, wait := s.limiter.allow(clientIP(r), time.Now())
		if ok {
			next(w, r)
			return
		}
		secs := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		if asJSON {
			writeError(w, r, s.Log, bulletin.Errorf(bulletin.ERATELIMITED,
				"Too many signups from your connection; try again in %s.", seconds(secs)))
			return
		}
		// The form that was sent still holds what was typed, and an
		// embedded one sits on the publisher's own page: going back to it
		// in the browser loses neither, where a link to a blank form here
		// would. The page may run no script (pageCSP) to go back itself.
		s.messagePageBack(w, r, http.StatusTooManyRequests, "Too many signups",
			"Too many signups came from your connection (its IP address). Please wait "+seconds(secs)+
				", then go back in your browser to the form, which still holds what you typed, and send it again.",
			signupFormAgain(r), "Or start again on an empty signup form")
	}
}

// signupFormAgain is the address of an empty signup form like the one r
// sent: the one-list form (?list=) for a form that joins one list, which
// every list's form is not, else /subscribe.
func signupFormAgain(r *http.Request) string {
	if parseForm(r) != nil || r.PostForm.Get(oneListField) == "" || len(r.PostForm["list"]) != 1 {
		return "/subscribe"
	}
	return "/subscribe?" + url.Values{"list": r.PostForm["list"]}.Encode()
}

// seconds says n seconds in words: "1 second", "12 seconds".
func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}
