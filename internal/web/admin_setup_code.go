package web

import (
	"crypto/rand"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// setupCodeAlphabet leaves out the symbols that look alike in a log read
// off a terminal (0 and O, 1 and I). Its 32 symbols make a byte's
// remainder unbiased.
const setupCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// A SetupCode is the one-time code that opens first-run setup to a browser
// that is not on the server's own host. serve makes one at start-up when
// no admin exists and prints it in its log; it works once.
type SetupCode struct {
	mu   sync.Mutex
	code string // normalized: upper case, no dashes
	used bool
}

// NewSetupCode returns a fresh random code of 16 symbols (80 bits).
func NewSetupCode() *SetupCode {
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = setupCodeAlphabet[b[i]%32]
	}
	return &SetupCode{code: string(b)}
}

// Code returns the code as serve prints it, in groups of four.
func (c *SetupCode) Code() string {
	var groups []string
	for i := 0; i < len(c.code); i += 4 {
		groups = append(groups, c.code[i:min(i+4, len(c.code))])
	}
	return strings.Join(groups, "-")
}

// match reports, in constant time, whether typed is the code while it is
// unused. Case, spaces and dashes do not matter: people retype it.
func (c *SetupCode) match(typed string) bool {
	if c == nil {
		return false
	}
	typed = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(typed))
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.used && subtle.ConstantTimeCompare([]byte(typed), []byte(c.code)) == 1
}

// spend makes the code stop working.
func (c *SetupCode) spend() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.used = true
	c.mu.Unlock()
}

// fromServerHost reports whether r comes straight from the server's own
// host: a loopback peer, no proxy header naming another client (a reverse
// proxy on this host forwards everyone's requests from loopback), and a
// Host that is the server's own name. A page whose DNS name was rebound to
// 127.0.0.1 sends its requests from a loopback peer too, but under its own
// name, which is neither a loopback name nor the public URL's host.
func (s *Server) fromServerHost(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !isLoopback(host) {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if len(r.Header.Values(h)) > 0 {
			return false
		}
	}
	return s.isOwnHost(r)
}

// isOwnHost reports whether r's Host names this server: localhost or a
// loopback address, with any port, or the host of BASE_URL or of the
// public URL in force. An attacker cannot point those names at a browser's
// loopback, as it can a name of its own.
func (s *Server) isOwnHost(r *http.Request) bool {
	if IsLoopbackHost(r.Host) {
		return true
	}
	name := hostName(r.Host)
	if name == "" {
		return false
	}
	own := []string{s.BaseURL}
	if s.Settings != nil {
		if p, err := s.Settings.Publication(r.Context()); err == nil {
			own = append(own, p.PublicURL)
		}
	}
	for _, raw := range own {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" && strings.EqualFold(u.Hostname(), name) {
			return true
		}
	}
	return false
}

// IsLoopbackHost reports whether host, a request's Host or a URL's, is localhost or
// a loopback address, with any port. A page elsewhere can make a browser
// send requests to 127.0.0.1 by pointing a name of its own there (DNS
// rebinding), but they carry that name as their Host, never one of these:
// the browser would take a page under these names for another origin.
func IsLoopbackHost(host string) bool {
	name := hostName(host)
	return name == "localhost" || isLoopback(name)
}

// hostName is the name in host, a request's Host, in lower case and
// without its port or an IPv6 address's brackets.
func hostName(host string) string {
	name := strings.ToLower(host)
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	return strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
}
