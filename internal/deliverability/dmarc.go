package deliverability

import (
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// dmarc checks domain's DMARC policy, falling back to its organizational
// domain's as receivers do (RFC 7489 §6.6.3), and whether Bulletin's mail
// aligns with it.
func (r *run) dmarc(domain string) Finding {
	f := Finding{Domain: domain, Check: "DMARC"}
	name := "_dmarc." + domain
	tags, at, err := r.dmarcRecord(domain)
	if err != nil {
		f.Status, f.Detail = Error, err.Error()
		return f
	}
	if tags == nil {
		f.Status = Missing
		f.Detail = "no DMARC record at " + name + ": Gmail and Yahoo require one of bulk senders. Start with p=none and read the reports sent to rua; move to p=quarantine once they show your mail passing"
		f.Publish = &Record{Name: name, Type: "TXT", Value: "v=DMARC1; p=none; rua=mailto:postmaster@" + domain}
		return f
	}
	policy := strings.ToLower(tags["p"])
	if at != domain && tags["sp"] != "" {
		policy = strings.ToLower(tags["sp"])
	}
	where := "_dmarc." + at
	if policy != "none" && policy != "quarantine" && policy != "reject" {
		f.Status, f.Detail = Error, fmt.Sprintf("DMARC record at %s has policy %q; use p=none, p=quarantine or p=reject", where, policy)
		f.Publish = &Record{Name: name, Type: "TXT", Value: "v=DMARC1; p=none; rua=mailto:postmaster@" + domain}
		return f
	}
	aligned, how := r.aligned(domain, tags)
	switch {
	case !aligned && policy != "none":
		f.Status = Error
		f.Detail = fmt.Sprintf("DMARC at %s asks receivers to %s mail that fails it, and Bulletin's mail would: %s", where, policy, how)
	case !aligned:
		f.Status = Warn
		f.Detail = fmt.Sprintf("DMARC at %s (p=none) is published, but Bulletin's mail fails it: %s", where, how)
	case policy == "none":
		f.Status = Warn
		f.Detail = fmt.Sprintf("DMARC at %s has p=none: receivers only report, and Gmail and Yahoo accept that, but nothing stops others from sending as %s. %s; once the rua reports show your mail passing, move to p=quarantine", where, domain, how)
		f.Publish = &Record{Name: where, Type: "TXT", Value: strings.Replace(dmarcValue(tags), "p=none", "p=quarantine", 1)}
	default:
		f.Status, f.Detail = OK, fmt.Sprintf("DMARC at %s has p=%s; %s", where, policy, how)
	}
	return f
}

// dmarcRecord returns the tags of the DMARC record that governs domain and
// the domain it was found at; nil tags when there is none.
func (r *run) dmarcRecord(domain string) (map[string]string, string, error) {
	at := []string{domain}
	if org, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil && org != domain {
		at = append(at, org)
	}
	for _, d := range at {
		name := "_dmarc." + d
		txts, err := r.res.TXT(r.ctx, name)
		if err != nil {
			return nil, "", fmt.Errorf("could not look up %s: %v", name, err)
		}
		var recs []string
		for _, t := range txts {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), "v=dmarc1") {
				recs = append(recs, t)
			}
		}
		if len(recs) > 1 {
			return nil, "", fmt.Errorf("%s has %d DMARC records, so receivers apply none: keep one", name, len(recs))
		}
		if len(recs) == 1 {
			return dkimTags(recs[0]), d, nil
		}
	}
	return nil, "", nil
}

// aligned says whether Bulletin's mail passes DMARC's alignment for
// domain: the DKIM signature's d= is always the From domain, and without
// a bounce domain the MAIL FROM is the From address too.
func (r *run) aligned(domain string, tags map[string]string) (bool, string) {
	if len(r.keys(domain)) > 0 {
		return true, "Bulletin's DKIM signature has d=" + domain + ", aligned with From"
	}
	mailFrom := domain
	if b := normalize(r.c.BounceDomain); b != "" {
		mailFrom = b
	}
	strict := strings.EqualFold(tags["aspf"], "s")
	if mailFrom == domain || !strict && orgDomain(mailFrom) == orgDomain(domain) {
		return true, "mail is not DKIM-signed, so it passes only through SPF of " + mailFrom + ", aligned with From; sign it too (bulletin dkim keygen), as forwarding breaks SPF"
	}
	return false, "mail is not DKIM-signed, and its MAIL FROM domain " + mailFrom + " does not align with From under aspf=s: set up DKIM (bulletin dkim keygen)"
}

func orgDomain(d string) string {
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}

// dmarcValue writes tags back as a record, v and p first.
func dmarcValue(tags map[string]string) string {
	parts := []string{"v=DMARC1", "p=" + strings.ToLower(tags["p"])}
	for _, k := range []string{"sp", "pct", "adkim", "aspf", "rua", "ruf", "fo", "ri"} {
		if v := tags[k]; v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}
