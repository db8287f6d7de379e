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

// dkimConfig reads the DKIM and bounce settings of SPEC §5 into c.
func dkimConfig(c *Config, vals map[string]*string) error {
	c.DKIMSelector = strings.TrimSpace(*vals["BULLETIN_DKIM_SELECTOR"])
	c.DKIMEd25519Selector = strings.TrimSpace(*vals["BULLETIN_DKIM_ED25519_SELECTOR"])
	c.DKIMDir = strings.TrimSpace(*vals["BULLETIN_DKIM_DIR"])
	c.BounceDomain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(*vals["BULLETIN_BOUNCE_DOMAIN"]), "."))
	for env, sel := range map[string]string{"BULLETIN_DKIM_SELECTOR": c.DKIMSelector, "BULLETIN_DKIM_ED25519_SELECTOR": c.DKIMEd25519Selector} {
		if sel != "" {
			if err := dkim.CheckSelector(sel); err != nil {
				return fmt.Errorf("%s: %v", env, err)
			}
		}
	}
	if c.BounceDomain != "" && !isDomain(c.BounceDomain) {
		return fmt.Errorf("BULLETIN_BOUNCE_DOMAIN %q: use a domain name whose MX reaches Bulletin, like bounces.example.com", c.BounceDomain)
	}
	return nil
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

// dkimKeys reads the keys of the configured DKIM selectors. A selector
// whose key file is missing is a usage error that says how to make it.
func (c Config) dkimKeys() ([]dkim.Key, error) {
	var keys []dkim.Key
	for _, k := range []struct{ sel, typ string }{{c.DKIMSelector, dkim.RSA}, {c.DKIMEd25519Selector, dkim.Ed25519}} {
		if k.sel == "" {
			continue
		}
		key, err := dkim.Load(c.dkimDir(), k.sel, k.typ)
		var missing *dkim.MissingKeyError
		if errors.As(err, &missing) {
			if d := c.fromDomain(); !isDomain(d) {
				// keygen, which the error says to run, refuses such a
				// domain: the From comes first.
				return nil, usagef("no DKIM key %s: a selector's key signs the mail of BULLETIN_FROM, which is at %s, not a domain on the internet; "+
					"set BULLETIN_FROM to an address at your own domain first, then make the key with \"bulletin dkim keygen --selector %s --type %s\", or unset the selector",
					missing.Path, d, k.sel, k.typ)
			}
			return nil, usageError{err.Error()}
		} else if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// fromDomain is the domain of BULLETIN_FROM, lower case.
func (c Config) fromDomain() string {
	a, err := mail.ParseAddress(c.From)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(a.Address[strings.LastIndexByte(a.Address, '@')+1:], "."))
}

// dkimKeysByDomain reads every DKIM key, by the From domain it signs:
// the configured selectors' keys sign BULLETIN_FROM's domain, and the
// keys in DKIM_DIR/DOMAIN/ sign that domain (a list's own From).
func (c Config) dkimKeysByDomain() (map[string][]dkim.Key, error) {
	keys, err := c.dkimKeys()
	if err != nil {
		return nil, err
	}
	byDomain, err := dkim.LoadDomains(c.dkimDir())
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		if byDomain == nil {
			byDomain = map[string][]dkim.Key{}
		}
		d := c.fromDomain()
		byDomain[d] = append(keys, byDomain[d]...)
	}
	return byDomain, nil
}

// loadDKIM reads the DKIM keys, once, and returns the signer of every
// message, or nil when there is no key. A selector whose key file is
// missing is a usage error that says how to make it. Mail of a From
// domain without a key goes unsigned, with one warning for that domain.
func (m *Main) loadDKIM() (mailer.Signer, error) {
	c := m.Config
	byDomain, err := c.dkimKeysByDomain()
	if err != nil {
		return nil, err
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
	key, err := dkim.Generate(dir, selector, typ)
	if errors.Is(err, fs.ErrExist) {
		return usageError{strings.TrimSuffix(err.Error(), ": "+fs.ErrExist.Error())}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s (mode 0600; keep it secret, back it up)\n\n", dkim.Path(dir, selector, typ))
	fmt.Fprintf(m.Stdout, "Publish this TXT record in the DNS of %s:\n\n%s\n\n", domain, key.Record(domain))
	if domain != from {
		fmt.Fprintf(m.Stdout, "From its next start Bulletin signs every mail whose From is at %s with it, the publication's or a list's (give send workers BULLETIN_DKIM_DIR=%s).\n", domain, m.Config.dkimDir())
		return nil
	}
	env := "BULLETIN_DKIM_SELECTOR"
	if typ == dkim.Ed25519 {
		env = "BULLETIN_DKIM_ED25519_SELECTOR"
	}
	fmt.Fprintf(m.Stdout, "Then start Bulletin with %s=%s (and BULLETIN_DKIM_DIR=%s for send workers).\n", env, selector, m.Config.dkimDir())
	return nil
}
