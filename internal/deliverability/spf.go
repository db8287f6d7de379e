package deliverability

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// spfLookupLimit is RFC 7208's limit on the terms that cost a DNS lookup
// (include, a, mx, ptr, exists, redirect) in one evaluation: past it,
// receivers treat the record as a permanent error.
const spfLookupLimit = 10

// A relay is the host mail leaves through, with its addresses.
type relay struct {
	host       string
	ips        []net.IP
	err        error
	unanswered bool // err is a lookup that got no answer (see Finding.Unchecked)
	local      bool // every address is loopback or private: not what receivers see
}

func (r *run) resolveRelay() relay {
	rl := relay{host: normalize(r.c.Relay)}
	if rl.host == "" {
		return rl
	}
	if ip := net.ParseIP(strings.Trim(rl.host, "[]")); ip != nil {
		rl.ips = []net.IP{ip}
	} else {
		rl.ips, rl.err = r.res.IPs(r.ctx, rl.host)
		rl.unanswered = rl.err != nil
		if rl.err == nil && len(rl.ips) == 0 {
			rl.err = fmt.Errorf("%s has no address in the DNS", rl.host)
		}
	}
	rl.local = len(rl.ips) > 0
	for _, ip := range rl.ips {
		rl.local = rl.local && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast())
	}
	return rl
}

// spf checks that domain's SPF record authorises the relay, within the
// lookup limit.
func (r *run) spf(domain string) Finding {
	f := Finding{Domain: domain, Check: "SPF"}
	w := &spfWalk{run: r}
	rec, err := w.record(domain)
	if err != nil {
		f.Status, f.Detail = Error, err.Error()
		return f
	}
	if rec == "" {
		f.Status = Missing
		if r.relay.host == "" {
			f.Detail = domain + " publishes no SPF record; publish one that names the relay you will send through (BULLETIN_SMTP_URL), or the include: its provider documents"
			f.Publish = &Record{Name: domain, Type: "TXT", Value: "v=spf1 a:smtp.your-relay.example ~all"}
			return f
		}
		f.Detail = domain + " publishes no SPF record, so receivers cannot tell that " + r.relay.host + " may send its mail; publish this (or the include: your relay's provider documents)"
		f.Publish = &Record{Name: domain, Type: "TXT", Value: "v=spf1 " + r.relayTerm(0) + " ~all"}
		return f
	}
	if err := w.count(domain, rec, 0); err != nil {
		f.Status, f.Detail = Error, fmt.Sprintf("SPF of %s (%s): %v", domain, rec, err)
		return f
	}
	if w.lookups > spfLookupLimit {
		f.Status = Error
		f.Detail = fmt.Sprintf("SPF of %s needs %d DNS lookups (include, a, mx, ptr, exists, redirect, counted through every include); RFC 7208 allows %d, and receivers fail the record past that (permerror): drop the includes you no longer send through, or replace some by the ip4:/ip6: ranges they list", domain, w.lookups, spfLookupLimit)
		return f
	}
	switch {
	case r.relay.host == "":
		f.Status, f.Detail = Warn, fmt.Sprintf("SPF of %s is published (%s), but mail goes to the outbox: whether it authorises your relay can be judged once BULLETIN_SMTP_URL is set", domain, rec)
		return f
	case r.relay.err != nil:
		f.Status, f.Detail = Error, fmt.Sprintf("could not look up the relay %s of BULLETIN_SMTP_URL: %v", r.relay.host, r.relay.err)
		f.Unchecked = r.relay.unanswered
		return f
	case r.relay.local:
		f.Status, f.Detail = Warn, fmt.Sprintf("the relay %s is on this machine or a private network, so SPF must name the public address it sends from, which Bulletin cannot see: check that %s covers it", r.relay.host, rec)
		return f
	}
	return r.judgeSPF(f, w, rec)
}

// judgeSPF evaluates rec for every address of the relay.
func (r *run) judgeSPF(f Finding, w *spfWalk, rec string) Finding {
	var pass, fail []string
	var via string
	for _, ip := range r.relay.ips {
		result, term, err := w.eval(f.Domain, ip, 0)
		if err != nil {
			f.Status, f.Detail = Error, fmt.Sprintf("SPF of %s for %s: %v", f.Domain, ip, err)
			return f
		}
		if result == "pass" {
			pass, via = append(pass, ip.String()), term
		} else {
			fail = append(fail, ip.String()+" ("+result+")")
		}
	}
	lookups := w.lookups
	fix := &Record{Name: f.Domain, Type: "TXT", Value: "v=spf1 " + r.relayTerm(lookups) + strings.TrimPrefix(rec, rec[:len("v=spf1")])}
	switch {
	case len(fail) == 0 && (via == "all" || via == "+all"):
		f.Status, f.Detail = Warn, fmt.Sprintf("SPF of %s (%s) ends in %s, which lets every server on the internet send as %s: name your relay and end with ~all or -all", f.Domain, rec, via, f.Domain)
		f.Publish = &Record{Name: f.Domain, Type: "TXT", Value: "v=spf1 " + r.relayTerm(0) + " ~all"}
	case len(fail) == 0:
		f.Status, f.Detail = OK, fmt.Sprintf("SPF of %s authorises the relay %s (%s) through %s, in %d of %d DNS lookups", f.Domain, r.relay.host, strings.Join(pass, ", "), via, lookups, spfLookupLimit)
	case len(pass) == 0:
		f.Status, f.Detail = Missing, fmt.Sprintf("SPF of %s (%s) does not authorise the relay %s: %s; add it (or the include: your relay's provider documents)", f.Domain, rec, r.relay.host, strings.Join(fail, ", "))
		f.Publish = fix
	default:
		f.Status, f.Detail = Warn, fmt.Sprintf("SPF of %s authorises the relay %s at %s but not at %s: mail that leaves from there fails SPF", f.Domain, r.relay.host, strings.Join(pass, ", "), strings.Join(fail, ", "))
		f.Publish = fix
	}
	return f
}

// relayTerm is the SPF term that authorises the relay: a:HOST, or its
// addresses when the record has no lookup to spare or the relay is one.
func (r *run) relayTerm(lookups int) string {
	if net.ParseIP(strings.Trim(r.relay.host, "[]")) == nil && lookups < spfLookupLimit {
		return "a:" + r.relay.host
	}
	terms := make([]string, len(r.relay.ips))
	for i, ip := range r.relay.ips {
		if ip.To4() != nil {
			terms[i] = "ip4:" + ip.String()
		} else {
			terms[i] = "ip6:" + ip.String()
		}
	}
	return strings.Join(terms, " ")
}

// An spfWalk reads SPF records through a run's cache, counting lookups.
type spfWalk struct {
	*run
	lookups int
}

// record returns domain's SPF record, "" when it has none.
func (w *spfWalk) record(domain string) (string, error) {
	txts, err := w.res.TXT(w.ctx, domain)
	if err != nil {
		return "", fmt.Errorf("could not look up the TXT records of %s: %v", domain, err)
	}
	var recs []string
	for _, t := range txts {
		if f := strings.Fields(t); len(f) > 0 && strings.EqualFold(f[0], "v=spf1") {
			recs = append(recs, strings.Join(f, " "))
		}
	}
	switch len(recs) {
	case 0:
		return "", nil
	case 1:
		return recs[0], nil
	}
	return "", fmt.Errorf("%s publishes %d SPF records (%s); receivers fail them all (permerror): merge them into one", domain, len(recs), strings.Join(recs, " | "))
}

// count adds to w.lookups the terms of rec, through every include and
// redirect, that cost a DNS lookup.
func (w *spfWalk) count(domain, rec string, depth int) error {
	if depth > spfLookupLimit {
		return nil // a loop: the count is past the limit already
	}
	for _, s := range strings.Fields(rec)[1:] {
		t, err := parseTerm(s)
		if err != nil {
			return err
		}
		switch t.name {
		case "a", "mx", "ptr", "exists":
			w.lookups++
		case "include", "redirect":
			w.lookups++
			if hasMacro(t.domain) || w.lookups > spfLookupLimit {
				continue
			}
			inner, err := w.record(t.domain)
			if err != nil {
				return err
			}
			if inner == "" {
				return fmt.Errorf("%s names %s, which publishes no SPF record, so receivers fail the whole record (permerror)", s, t.domain)
			}
			if err := w.count(t.domain, inner, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

var errSPFDepth = errors.New("SPF includes nest too deep")

// eval is RFC 7208's check_host for ip, without a sender: a mechanism
// whose domain has a macro never matches. It returns the result and the
// term of domain's record that decided it.
func (w *spfWalk) eval(domain string, ip net.IP, depth int) (string, string, error) {
	if depth > spfLookupLimit {
		return "", "", errSPFDepth
	}
	rec, err := w.record(domain)
	if err != nil || rec == "" {
		return "none", "", err
	}
	var redirect string
	for _, s := range strings.Fields(rec)[1:] {
		t, err := parseTerm(s)
		if err != nil {
			return "", "", err
		}
		if t.modifier {
			if t.name == "redirect" {
				redirect = t.domain
			}
			continue
		}
		match, err := w.matches(domain, t, ip, depth)
		if err != nil {
			return "", "", err
		}
		if match {
			return map[byte]string{'+': "pass", '-': "fail", '~': "softfail", '?': "neutral"}[t.qualifier], s, nil
		}
	}
	if redirect != "" && !hasMacro(redirect) {
		result, _, err := w.eval(redirect, ip, depth+1)
		if result == "none" && err == nil {
			return "", "", fmt.Errorf("redirect=%s publishes no SPF record (permerror)", redirect)
		}
		return result, "redirect=" + redirect, err
	}
	return "neutral", "", nil
}

// matches says whether mechanism t of domain's record covers ip.
func (w *spfWalk) matches(domain string, t term, ip net.IP, depth int) (bool, error) {
	target := t.domain
	if target == "" {
		target = domain
	}
	switch t.name {
	case "all":
		return true, nil
	case "ip4", "ip6":
		_, n, _ := net.ParseCIDR(cidr(t.domain, t.name))
		return n.Contains(ip), nil
	case "include":
		if hasMacro(target) {
			return false, nil
		}
		result, _, err := w.eval(target, ip, depth+1)
		if err == nil && result == "none" {
			err = fmt.Errorf("include:%s publishes no SPF record (permerror)", target)
		}
		return result == "pass", err
	case "a":
		if hasMacro(target) {
			return false, nil
		}
		ips, err := w.res.IPs(w.ctx, target)
		return within(ips, ip, t), err
	case "mx":
		if hasMacro(target) {
			return false, nil
		}
		mxs, err := w.res.MX(w.ctx, target)
		if err != nil {
			return false, err
		}
		for i, mx := range mxs {
			if i == 10 { // RFC 7208 §4.6.4: at most 10 MX names
				break
			}
			ips, err := w.res.IPs(w.ctx, mx.Host)
			if err != nil {
				return false, err
			}
			if within(ips, ip, t) {
				return true, nil
			}
		}
	}
	return false, nil // ptr and exists depend on the connection
}

// within says whether ip is in the range around one of ips.
func within(ips []net.IP, ip net.IP, t term) bool {
	for _, a := range ips {
		bits, size := t.cidr6, 128
		if a.To4() != nil {
			bits, size = t.cidr4, 32
		}
		n := net.IPNet{IP: a.Mask(net.CIDRMask(bits, size)), Mask: net.CIDRMask(bits, size)}
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
