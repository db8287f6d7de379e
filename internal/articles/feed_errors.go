package articles

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// feedDialTimeout is how long a feed's server has to take the connection.
const feedDialTimeout = 10 * time.Second

// The client's refusals of a redirect, told as a feed's status.
var (
	errTooManyRedirects = errors.New("the feed redirects more than 5 times")
	errRedirectScheme   = errors.New("the feed redirects to a URL that is not http or https")
)

// A fetchError is a failed fetch told in words an admin can act on; it
// unwraps to the error underneath.
type fetchError struct {
	msg string
	err error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.err }

// fetchFailed is err, from fetching a feed (reading its body when body),
// told plainly: "no answer within 15 s", "the connection to 192.0.2.1:443
// was refused", "the name news.example does not resolve", "TLS: …". An
// error it does not know keeps Go's words after a plain start.
func (f *Feeds) fetchFailed(err error, body bool) error {
	return &fetchError{f.fetchProblem(err, body), err}
}

func (f *Feeds) fetchProblem(err error, body bool) string {
	var (
		private   errPrivate
		dnsErr    *net.DNSError
		opErr     *net.OpError
		certErr   *tls.CertificateVerificationError
		alertErr  tls.AlertError
		recordErr tls.RecordHeaderError
		netErr    net.Error
	)
	addr := "the server"
	if errors.As(err, &opErr) && opErr.Addr != nil {
		addr = opErr.Addr.String()
	}
	text := err.Error()
	switch {
	case errors.As(err, &private):
		return private.Error()
	case errors.Is(err, errTooManyRedirects):
		return errTooManyRedirects.Error()
	case errors.Is(err, errRedirectScheme):
		return errRedirectScheme.Error()
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return fmt.Sprintf("the name %s does not resolve", dnsErr.Name)
		case dnsErr.IsTimeout:
			return fmt.Sprintf("the name %s could not be looked up: no answer from the name server", dnsErr.Name)
		}
		return fmt.Sprintf("the name %s could not be looked up (%s)", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("the connection to %s was refused", addr)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the connection to %s was reset", addr)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Sprintf("%s cannot be reached", addr)
	case errors.As(err, &certErr):
		return "TLS: the certificate is not valid: " + strings.TrimPrefix(certErr.Err.Error(), "x509: ")
	case errors.As(err, &alertErr):
		return "TLS: the server refused the connection (" + alertErr.Error() + ")"
	case strings.Contains(text, "server gave HTTP response to HTTPS client"):
		return "TLS: the server answers plain HTTP at that address; use an http:// URL"
	case errors.As(err, &recordErr):
		// Something not TLS answered, not starting as HTTP does (an
		// HTTP/0.9 error page, another protocol): an address typed
		// without a scheme is tried as https.
		return "TLS: the server does not answer with TLS at that address; if the site has no https, use an http:// URL"
	case strings.Contains(text, "TLS handshake timeout"):
		return fmt.Sprintf("TLS: no handshake within %s", seconds(f.transport().TLSHandshakeTimeout))
	case errors.Is(err, context.Canceled):
		return "the poll was cancelled"
	case errors.As(err, &netErr) && netErr.Timeout():
		switch {
		case body:
			return fmt.Sprintf("the feed did not arrive in full within %s", seconds(f.client.Timeout))
		case opErr != nil && opErr.Op == "dial":
			return fmt.Sprintf("no connection to %s within %s", addr, seconds(feedDialTimeout))
		case strings.Contains(text, "timeout awaiting response headers"):
			return fmt.Sprintf("no answer within %s", seconds(f.transport().ResponseHeaderTimeout))
		case strings.Contains(text, "Client.Timeout"):
			return fmt.Sprintf("no answer within %s", seconds(f.client.Timeout))
		}
		return "no answer in time"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		if body {
			return "the server closed the connection before the feed was complete"
		}
		return "the server closed the connection without answering"
	}
	// Go's own words, without the "Get "URL": " the admin knows.
	if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) && urlErr.Err != nil {
		text = urlErr.Err.Error()
	}
	if body {
		return "the feed could not be read: " + text
	}
	return "the feed could not be fetched: " + text
}

// transport is the client's transport, for its timeouts.
func (f *Feeds) transport() *http.Transport {
	if t, ok := f.client.Transport.(*http.Transport); ok {
		return t
	}
	return &http.Transport{}
}

// seconds is d in seconds, as "15 s" or "0.2 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// byteSize is n bytes in words, as "5 MB" (of 1,048,576 bytes, as the
// admin's other limits are told) or "100 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// skipped counts the items a poll left out, by why, in the order the
// reasons first came.
type skipped struct {
	reasons []string
	count   map[string]int
}

func (s *skipped) add(reason string) {
	if s.count == nil {
		s.count = map[string]int{}
	}
	if s.count[reason] == 0 {
		s.reasons = append(s.reasons, reason)
	}
	s.count[reason]++
}

func (s *skipped) total() int {
	n := 0
	for _, c := range s.count {
		n += c
	}
	return n
}

// note is what a feed's status adds for the skipped items, as in
// "; 2 items skipped: no link" or "; 3 items skipped: 2 no link, 1 link
// not http(s)"; "" when none was.
func (s *skipped) note() string {
	n := s.total()
	if n == 0 {
		return ""
	}
	items := "items"
	if n == 1 {
		items = "item"
	}
	if len(s.reasons) == 1 {
		return fmt.Sprintf("; %d %s skipped: %s", n, items, s.reasons[0])
	}
	parts := make([]string, len(s.reasons))
	for i, r := range s.reasons {
		parts[i] = fmt.Sprintf("%d %s", s.count[r], r)
	}
	return fmt.Sprintf("; %d %s skipped: %s", n, items, strings.Join(parts, ", "))
}
