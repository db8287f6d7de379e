package webhooks

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"
)

// How signing certificates are kept. SNS signs with one certificate a
// region, changed rarely, so a few entries hold them all; a day's keep
// (or less, to the certificate's NotAfter) picks up a new one in time
// without a fetch a message. A URL the SNS host answered 4xx for, or
// whose answer was no usable certificate, is not asked again for
// certMissTTL: a forged message sent again costs nothing. A fetch that
// failed on the way (DNS, a refused connection, a 5xx) is not kept: SNS
// retries a message within a minute, and the next try may get through.
const (
	certTTL     = 24 * time.Hour
	certMissTTL = 10 * time.Minute
	maxCerts    = 64
	// certFetchesPerMinute bounds the fetches of URLs not kept: a forged
	// message may name any certificate on any SNS host, each one new.
	certFetchesPerMinute = 10
)

// errCertBudget is a message whose certificate is not kept, when
// certFetchesPerMinute are spent: SES answers it with a 429.
var errCertBudget = errors.New("too many signing certificates fetched this minute")

// certs keeps signing certificates by URL (see certTTL).
type certs struct {
	fetch Fetcher
	now   func() time.Time // time.Now when nil

	mu      sync.Mutex
	byURL   map[string]*certEntry
	window  time.Time // the start of the minute fetches counts in
	fetches int
}

// A certEntry is a URL's certificate, or why it is none, until expires.
// While its fetch runs, ready is open and other requests for the URL wait
// for it rather than fetch again.
type certEntry struct {
	cert    *x509.Certificate
	err     error
	expires time.Time
	ready   chan struct{}
}

func (c *certs) clock() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}

// get returns the certificate at rawURL, fetched at most once while it
// is kept.
func (c *certs) get(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	now := c.clock()
	c.mu.Lock()
	if e := c.byURL[rawURL]; e != nil {
		select {
		case <-e.ready:
			if now.Before(e.expires) {
				c.mu.Unlock()
				return e.cert, e.err
			}
			delete(c.byURL, rawURL)
		default:
			c.mu.Unlock()
			select {
			case <-e.ready:
				return e.cert, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	if !c.spend(now) {
		c.mu.Unlock()
		return nil, errCertBudget
	}
	c.makeRoom(now)
	e := &certEntry{ready: make(chan struct{})}
	c.byURL[rawURL] = e
	c.mu.Unlock()

	cert, err := c.load(ctx, rawURL, now)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.cert, e.err = cert, err
	switch {
	case err == nil:
		e.expires = now.Add(certTTL)
		if cert.NotAfter.Before(e.expires) {
			e.expires = cert.NotAfter
		}
	case definite(err):
		e.expires = now.Add(certMissTTL)
	default:
		delete(c.byURL, rawURL)
	}
	close(e.ready)
	return cert, err
}

// spend takes one of the minute's fetches, if one is left.
func (c *certs) spend(now time.Time) bool {
	if now.Sub(c.window) >= time.Minute || now.Before(c.window) {
		c.window, c.fetches = now, 0
	}
	if c.fetches >= certFetchesPerMinute {
		return false
	}
	c.fetches++
	return true
}

// makeRoom drops the expired entries, then, while maxCerts are kept, the
// one that expires first; a fetch still running stays.
func (c *certs) makeRoom(now time.Time) {
	if c.byURL == nil {
		c.byURL = map[string]*certEntry{}
	}
	for len(c.byURL) >= maxCerts {
		var first string
		for u, e := range c.byURL {
			select {
			case <-e.ready:
			default:
				continue
			}
			if !now.Before(e.expires) {
				delete(c.byURL, u)
				continue
			}
			if first == "" || e.expires.Before(c.byURL[first].expires) {
				first = u
			}
		}
		if first == "" {
			return // every entry is a fetch still running, fewer than the minute's budget
		}
		if len(c.byURL) >= maxCerts {
			delete(c.byURL, first)
		}
	}
}

// load fetches and reads the certificate at rawURL.
func (c *certs) load(ctx context.Context, rawURL string, now time.Time) (*x509.Certificate, error) {
	raw, err := c.fetch.Fetch(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, notCert{errors.New("signing certificate is not PEM")}
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, notCert{fmt.Errorf("signing certificate: %w", err)}
	}
	if now.After(cert.NotAfter) {
		return nil, notCert{errors.New("signing certificate expired")}
	}
	return cert, nil
}

// notCert is an answer that is no usable certificate.
type notCert struct{ error }

func (e notCert) Unwrap() error { return e.error }

// definite reports whether err says the URL has no certificate for us,
// rather than that it could not be reached: it is then kept (certMissTTL).
func definite(err error) bool {
	var nc notCert
	var se *statusError
	return errors.As(err, &nc) || (errors.As(err, &se) && se.code >= 400 && se.code < 500)
}

// A statusError is an SNS host's answer other than 200 OK.
type statusError struct {
	host, status string
	code         int
}

func (e *statusError) Error() string { return e.host + " answered " + e.status }
