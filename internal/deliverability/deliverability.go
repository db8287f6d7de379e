// Package deliverability checks the DNS side of sending, for each From
// domain in use: that SPF authorises the relay, that the DKIM record of
// each key Bulletin holds publishes that key, that DMARC is present with a
// policy and aligns with what Bulletin signs, and that the bounce domain
// has an MX. Each finding says which record to publish. The checks only
// read the DNS, through a Resolver, so tests serve their own zone.
package deliverability

import (
	"context"
	"errors"
	"net"
	"strings"

	"golang.org/x/net/idna"

	"github.com/bulletinhq/bulletin/internal/dkim"
)

// A Resolver answers the DNS questions of the checks; *net.Resolver is
// one, and net.DefaultResolver is the one Bulletin uses.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

var _ Resolver = net.DefaultResolver

// A Status is how a check came out.
type Status string

// The statuses, from good to bad: Warn works but should change, Missing
// is a record to publish, Error a record that is wrong or a lookup that
// failed.
const (
	OK      Status = "ok"
	Warn    Status = "warn"
	Missing Status = "missing"
	Error   Status = "error"
)

// NotChecked is the level of a Finding whose check could not be made
// (Unchecked): shown apart from Error, as its record was not seen, so it
// is neither wrong nor in place.
const NotChecked Status = "not checked"

// A Record is a DNS record to publish.
type Record struct {
	Name  string // owner name, without the final dot
	Type  string // TXT or MX
	Value string // a TXT value unquoted; an MX as "PREFERENCE HOST."
}

// String returns r as a zone-file line; a TXT value goes in quotes, in
// strings of at most 255 octets.
func (r Record) String() string {
	v := r.Value
	if r.Type == "TXT" {
		parts := dkim.SplitTXT(v)
		for i, p := range parts {
			parts[i] = `"` + strings.ReplaceAll(p, `"`, `\"`) + `"`
		}
		v = strings.Join(parts, " ")
	}
	return r.Name + " " + r.Type + " " + v
}

// A Finding is the outcome of one check of one domain.
type Finding struct {
	Domain string
	Check  string // "SPF", "DKIM s1", "DMARC", "MX", "Gmail/Yahoo"
	Status Status
	Detail string
	// Publish is the record that fixes a finding that is not OK, when a
	// record does.
	Publish *Record
	// Unchecked is set on an Error finding whose check could not be made:
	// a DNS lookup it needed got no answer (no network, a resolver that
	// times out or fails), which is not the name having no record. The
	// record was not seen, so it is not known to be wrong.
	Unchecked bool
}

// Level is how f is shown and counted: NotChecked when its check could
// not be made, else its Status.
func (f Finding) Level() Status {
	if f.Unchecked {
		return NotChecked
	}
	return f.Status
}

// Config is what the checks compare the DNS with.
type Config struct {
	// Domains are the From domains in use.
	Domains []string
	// Relay is the host of BULLETIN_SMTP_URL; empty when mail goes to the
	// outbox, and then SPF cannot be judged.
	Relay string
	// Keys are the DKIM keys Bulletin signs with.
	Keys []dkim.Key
	// DomainKeys, when set, are the keys by the From domain they sign
	// (lower case): each domain is checked against its own, and a domain
	// not in it is not signed. When nil, Keys sign every domain.
	DomainKeys map[string][]dkim.Key
	// BounceDomain is BULLETIN_BOUNCE_DOMAIN, the MAIL FROM domain of
	// campaigns and digests; empty when not set.
	BounceDomain string
	// BounceHost is the host the bounce domain's MX should name, when
	// known; the proposed record has a placeholder otherwise.
	BounceHost string
}

// A Report is the findings of one run of the checks, domain by domain.
type Report struct {
	Findings []Finding
	// LookupErr is the first DNS lookup that got no answer, when one did
	// not: what the Unchecked findings have in common, most often.
	LookupErr error
}

// Failed says whether a record is missing or wrong, or a check could not
// be made: what makes bulletin doctor exit 1.
func (r Report) Failed() bool {
	wrong, unchecked := r.Count()
	return wrong > 0 || unchecked > 0
}

// Count returns how many findings are a record missing or wrong, and how
// many are of checks that could not be made (NotChecked), counted apart:
// a record not seen is not known to be wrong.
func (r Report) Count() (wrong, unchecked int) {
	for _, f := range r.Findings {
		switch f.Level() {
		case NotChecked:
			unchecked++
		case Missing, Error:
			wrong++
		}
	}
	return wrong, unchecked
}

// LookupReason is why the lookups of the NotChecked findings got no
// answer, without the name and server a *net.DNSError puts first
// ("network is unreachable", from "lookup example.com on 10.0.0.1:53:
// dial udp …: connect: network is unreachable"): each finding names its
// own. "" when every lookup was answered.
//
// A lookup cut off by the check's time limit, or one the resolver let time
// out, is "timed out": "context deadline exceeded" told an operator
// nothing they could act on.
func (r Report) LookupReason() string {
	err := r.LookupErr
	var de *net.DNSError
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &de) && de.IsTimeout {
		return "timed out"
	}
	if errors.As(err, &de) {
		err = errors.New(de.Err)
	}
	if err == nil {
		return ""
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// Check runs every check of c against the DNS that res answers. It stops
// asking when ctx ends; what is left unanswered is an Error finding.
func Check(ctx context.Context, res Resolver, c Config) Report {
	r := &run{ctx: ctx, res: newCache(res), c: c}
	r.relay = r.resolveRelay()
	r.failedBefore = r.res.failed // the relay's lookup is said of by each SPF finding
	for _, d := range c.Domains {
		d = normalize(d)
		if a, err := idna.Lookup.ToASCII(d); err == nil {
			d = a // the DNS holds the xn-- form
		}
		if !strings.Contains(d, ".") || net.ParseIP(strings.Trim(d, "[]")) != nil {
			r.add(Finding{Domain: d, Check: "From", Status: Error,
				Detail: "the From address is at " + d + ", which is not a domain on the internet: set BULLETIN_FROM to an address at your own domain, the one whose DNS you publish these records in"})
			continue
		}
		r.add(r.spf(d))
		r.dkim(d)
		r.add(r.dmarc(d))
		r.add(r.senders(d))
	}
	if b := normalize(c.BounceDomain); b != "" {
		f := r.spf(b)
		if f.Status != OK {
			f.Detail += " (receivers check the SPF of " + b + ": it is the MAIL FROM domain of campaigns and digests)"
		}
		r.add(f)
		r.add(r.bounceMX(b))
	}
	return Report{Findings: r.findings, LookupErr: r.res.firstErr}
}

// A run is one Check: its settings, its answers so far and its findings.
type run struct {
	ctx      context.Context
	res      *cache
	c        Config
	relay    relay
	findings []Finding
	// failedBefore is the cache's count of unanswered lookups at the
	// last add.
	failedBefore int
}

// add adds f, Unchecked when it is an Error and a lookup got no answer
// since the last add: every check that needs an answer it did not get
// comes out an Error, saying it could not look the name up.
func (r *run) add(f Finding) {
	if f.Status == Error && r.res.failed > r.failedBefore {
		f.Unchecked = true
	}
	r.failedBefore = r.res.failed
	r.findings = append(r.findings, f)
}

// keys returns the keys that sign the mail of domain.
func (r *run) keys(domain string) []dkim.Key {
	if r.c.DomainKeys == nil {
		return r.c.Keys
	}
	return r.c.DomainKeys[domain]
}

func normalize(d string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// notFound says whether err means the name or record does not exist,
// rather than that the lookup failed.
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// WithDomains returns c checking more From domains too, each once.
func (c Config) WithDomains(more ...string) Config {
	seen := map[string]bool{}
	out := make([]string, 0, len(c.Domains)+len(more))
	for _, d := range append(append([]string(nil), c.Domains...), more...) {
		if d = strings.ToLower(d); d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	c.Domains = out
	return c
}
