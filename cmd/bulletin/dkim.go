package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/mailer"
)

// dkimConfig reads the DKIM and bounce settings of SPEC §5 into c, and
// returns a refusal for each of them that is malformed, in the order of
// the settings: a command that warns of the settings it does not use
// (see settingsUsed) says them all in one run, always in that order, and
// serve is refused with the first.
func dkimConfig(c *Config, vals map[string]*string) []error {
	c.DKIMSelector = strings.TrimSpace(*vals["BULLETIN_DKIM_SELECTOR"])
	c.DKIMEd25519Selector = strings.TrimSpace(*vals["BULLETIN_DKIM_ED25519_SELECTOR"])
	c.DKIMDir = strings.TrimSpace(*vals["BULLETIN_DKIM_DIR"])
	c.BounceDomain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(*vals["BULLETIN_BOUNCE_DOMAIN"]), "."))
	var errs []error
	for _, s := range []struct{ env, sel string }{
		{"BULLETIN_DKIM_SELECTOR", c.DKIMSelector},
		{"BULLETIN_DKIM_ED25519_SELECTOR", c.DKIMEd25519Selector},
	} {
		if s.sel != "" {
			if err := dkim.CheckSelector(s.sel); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", s.env, err))
			}
		}
	}
	if c.BounceDomain != "" && !isDomain(c.BounceDomain) {
		errs = append(errs, fmt.Errorf("BULLETIN_BOUNCE_DOMAIN %q: use a domain name whose MX reaches Bulletin, like bounces.example.com", c.BounceDomain))
	}
	return errs
}

// dkimDir is BULLETIN_DKIM_DIR, by default DATA/dkim.
func (c Config) dkimDir() string {
	if c.DKIMDir != "" {
		return c.DKIMDir
	}
	return filepath.Join(c.Data, "dkim")
}

// isDomain says whether d is a domain name of at least two labels: not
// localhost, an intranet's name or an IP address, which no DNS a
// receiver asks holds records for. A top-level domain is never all
// digits, so that tells an IPv4 address.
func isDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 || strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return false
	}
	for _, l := range labels {
		if dkim.CheckSelector(l) != nil { // the same rule: an LDH label
			return false
		}
	}
	return true
}

// fromDomain is the domain of BULLETIN_FROM, lower case.
func (c Config) fromDomain() string {
	a, err := mail.ParseAddress(c.From)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(a.Address[strings.LastIndexByte(a.Address, '@')+1:], "."))
}

// loadDKIM reads the DKIM keys, once, and returns the signer of every
// message, or nil when there is no key. A selector whose key file is
// missing is a usage error that says how to make it. Mail of a From
// domain without a key goes unsigned, with one warning for that domain.
// What dkimKeySet has to say of the keys is logged, a line each.
func (m *Main) loadDKIM() (mailer.Signer, error) {
	c := m.Config
	var byDomain map[string][]dkim.Key
	var notes []dkimNote
	if m.files != nil { // read by checkFiles already
		byDomain, notes = m.files.keys, m.files.notes
	} else { // the worker, which has no templates to read
		var err error
		if byDomain, notes, err = c.dkimKeySet(); err != nil {
			return nil, err
		}
	}
	for _, n := range notes {
		m.Log.Log(context.Background(), n.level, n.msg)
	}
	s := dkim.NewSigner(nil, byDomain)
	if s == nil {
		return nil, nil // a nil *dkim.Signer in the interface would not be nil
	}
	s.Log = m.Log
	domains := make([]string, 0, len(byDomain))
	for d, keys := range byDomain {
		domains = append(domains, d+" "+fmt.Sprint(keys))
	}
	slices.Sort(domains)
	m.Log.Info("DKIM signing on", "keys", strings.Join(domains, ", "), "dir", c.dkimDir())
	return s, nil
}

// verp returns the VERP addresses of BULLETIN_BOUNCE_DOMAIN, or nil.
func (m *Main) verp(secret []byte) *bounces.VERP {
	if m.Config.BounceDomain == "" {
		return nil
	}
	return bounces.NewVERP(secret, m.Config.BounceDomain)
}

// dkimCmd runs "dkim keygen --selector NAME [--type rsa|ed25519] [--domain D]".
func (m *Main) dkimCmd(ctx context.Context, args []string) error {
	var selector, typ, domain string
	rest, err := m.ParseFlags("dkim", args, func(fs *flag.FlagSet) {
		fs.StringVar(&selector, "selector", "", "selector of the new key, like s1 or 2026a")
		fs.StringVar(&typ, "type", dkim.RSA, "rsa (RSA-2048) or ed25519")
		fs.StringVar(&domain, "domain", "", "domain the record is for (default: the domain of the From address in the settings, else of BULLETIN_FROM)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "keygen" || selector == "" {
		return usagef("use: bulletin dkim keygen --selector NAME [--type rsa|ed25519] [--domain D]")
	}
	if typ != dkim.RSA && typ != dkim.Ed25519 {
		return usagef("--type %q: use rsa or ed25519", typ)
	}
	if err := dkim.CheckSelector(selector); err != nil {
		return usagef("--selector: %v", err)
	}
	// from is BULLETIN_FROM's domain, whose keys are the selector
	// settings'. The record is by default for the From that mail goes
	// out from, as doctor checks it: the one saved in the settings (web
	// setup, /admin/settings), else BULLETIN_FROM's.
	from := m.Config.fromDomain()
	if domain == "" {
		stored, err := m.storedFromDomain(ctx)
		if err != nil {
			return err
		}
		// A From at a host with no DNS signs nothing worth a key: the From
		// comes first, then its key. --domain makes the key of the From
		// to come, which signs once the From is there.
		switch {
		case stored != "" && !isDomain(stored):
			return usagef("the From address in the settings is at %s, not a domain on the internet with DNS to publish a key in: "+
				"first change the From address at /admin/settings to one at your own domain, like news@example.com, then run this again "+
				"(or pass --domain with that domain, like --domain example.com)", stored)
		case stored != "":
			domain = stored
		case !isDomain(from):
			return usagef("BULLETIN_FROM is at %s, not a domain on the internet with DNS to publish a key in: "+
				"first set the From address to one at your own domain, like news@example.com, at /admin/settings or in BULLETIN_FROM, then run this again "+
				"(or pass --domain with that domain, like --domain example.com)", from)
		default:
			domain = from
		}
	}
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if !isDomain(domain) {
		return usagef("--domain %q: use the domain of your From address, like example.com", domain)
	}
	// BULLETIN_FROM's keys are in the folder itself, named by the selector
	// settings; another domain's (a list's own From) in its own folder,
	// all of them used.
	dir := m.Config.dkimDir()
	if domain != from {
		dir = filepath.Join(dir, domain)
	}
	if f := m.Config.selectorTaken(domain, selector, dkim.Path(dir, selector, typ)); f != "" {
		return usagef("%s is already the key of %s._domainkey.%s, a name that holds one DKIM record: keep signing with it (bulletin doctor prints its record), or pick another selector",
			f, selector, domain)
	}
	key, err := dkim.Generate(dir, selector, typ)
	if errors.Is(err, fs.ErrExist) {
		return usageError{strings.TrimSuffix(err.Error(), ": "+fs.ErrExist.Error())}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s (mode 0600; keep it secret, back it up)\n\n", dkim.Path(dir, selector, typ))
	fmt.Fprintf(m.Stdout, "Publish this TXT record in the DNS of %s:\n\n%s\n\n", domain, key.Record(domain))
	if domain != from {
		fmt.Fprintf(m.Stdout, "No setting is needed: once restarted, serve and the send workers (given BULLETIN_DKIM_DIR=%s) sign every mail whose From is at %s with it, the publication's or a list's.\n",
			m.Config.dkimDir(), domain)
		return nil
	}
	env := "BULLETIN_DKIM_SELECTOR"
	if typ == dkim.Ed25519 {
		env = "BULLETIN_DKIM_ED25519_SELECTOR"
	}
	fmt.Fprintf(m.Stdout, "Then start Bulletin with %s=%s (and BULLETIN_DKIM_DIR=%s for send workers).\n", env, selector, m.Config.dkimDir())
	return nil
}
