package deliverability

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/dkim"
)

// dkim checks, for each key Bulletin holds, that SELECTOR._domainkey of
// domain publishes its public half.
func (r *run) dkim(domain string) {
	if len(r.keys(domain)) == 0 && (len(r.c.Domains) == 0 || normalize(r.c.Domains[0]) == domain) {
		r.add(Finding{Domain: domain, Check: "DKIM", Status: Missing,
			Detail: "Bulletin does not sign its mail: Gmail and Yahoo junk or refuse bulk mail without a DKIM signature of the From domain. Run \"bulletin dkim keygen --selector s1 --domain " + domain + "\", publish the record it prints and do what it says next"})
		return
	} else if len(r.keys(domain)) == 0 { // a list's own From domain
		r.add(Finding{Domain: domain, Check: "DKIM", Status: Missing,
			Detail: "Bulletin has no DKIM key for " + domain + ", so the mail of lists From it goes unsigned: Gmail and Yahoo junk or refuse bulk mail without a DKIM signature of the From domain. Run \"bulletin dkim keygen --selector s1 --domain " + domain + "\" and publish the record it prints"})
		return
	}
	for _, k := range r.keys(domain) {
		r.add(r.dkimKey(domain, k))
	}
}

func (r *run) dkimKey(domain string, k dkim.Key) Finding {
	name := k.RecordName(domain)
	f := Finding{Domain: domain, Check: "DKIM " + k.Selector}
	publish := &Record{Name: name, Type: "TXT", Value: k.RecordValue()}
	txts, err := r.res.TXT(r.ctx, name)
	if err != nil {
		f.Status, f.Detail = Error, fmt.Sprintf("could not look up %s: %v", name, err)
		return f
	}
	var recs []map[string]string
	for _, t := range txts {
		if tags := dkimTags(t); tags["p"] != "" || strings.EqualFold(tags["v"], "DKIM1") || t == "" {
			recs = append(recs, tags)
		}
	}
	switch {
	case len(recs) == 0:
		f.Status, f.Detail, f.Publish = Missing, fmt.Sprintf("no DKIM record at %s: receivers cannot check the %s signature Bulletin puts on every message; publish the public half of %s", name, keyType(k), k.Selector), publish
	case len(recs) > 1:
		f.Status, f.Detail, f.Publish = Error, fmt.Sprintf("%s has %d DKIM records; receivers take any one of them: keep only this one", name, len(recs)), publish
	default:
		f.Status, f.Detail = OK, fmt.Sprintf("%s publishes the public half of the %s key Bulletin signs with", name, keyType(k))
		if problem := keyProblem(recs[0], k); problem != "" {
			f.Status, f.Detail, f.Publish = Error, name+" "+problem+": mail signed by Bulletin fails DKIM; publish this record in its place", publish
		}
	}
	return f
}

// keyProblem says how the record tags differ from k's public half, or "".
func keyProblem(tags map[string]string, k dkim.Key) string {
	kt := strings.ToLower(tags["k"])
	if kt == "" {
		kt = dkim.RSA
	}
	if kt != k.Type {
		return fmt.Sprintf("publishes a key of type k=%s, not %s", kt, k.Type)
	}
	p := strings.Join(strings.Fields(tags["p"]), "")
	if p == "" {
		return "publishes an empty p=, which revokes the key"
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return "publishes a p= that is not base64"
	}
	var pub crypto.PublicKey
	if k.Type == dkim.Ed25519 {
		if len(der) == ed25519.PublicKeySize {
			pub = ed25519.PublicKey(der)
		}
	} else if pub, err = x509.ParsePKIXPublicKey(der); err != nil {
		pub, _ = x509.ParsePKCS1PublicKey(der) // some tools publish the bare RSA key
	}
	eq, ok := k.Public().(interface{ Equal(crypto.PublicKey) bool })
	if pub == nil || !ok {
		return "publishes a p= that is not a public key"
	}
	if !eq.Equal(pub) {
		return fmt.Sprintf("publishes another key than the one in BULLETIN_DKIM_DIR for selector %s (was the key made again?)", k.Selector)
	}
	return ""
}

// dkimTags splits a tag=value list (DKIM, DMARC) into its tags, names
// lower-cased.
func dkimTags(rec string) map[string]string {
	tags := map[string]string{}
	for _, part := range strings.Split(rec, ";") {
		name, value, ok := strings.Cut(part, "=")
		if ok {
			tags[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
		}
	}
	return tags
}

func keyType(k dkim.Key) string {
	if k.Type == dkim.Ed25519 {
		return "Ed25519"
	}
	return "RSA"
}
