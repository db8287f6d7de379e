package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/dkim"
)

// doctorTimeout bounds the DNS checks of bulletin doctor.
const doctorTimeout = 30 * time.Second

// doctor runs "doctor": the DNS checks of SPEC §5 for the From domain,
// printed with the records to publish; exit 1 when one is missing or
// wrong, or a check could not be made (NOT CHECKED: nothing is known to
// be in place then), or when a setting serve refuses was said as a
// warning.
func (m *Main) doctor(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("doctor", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("doctor takes no arguments: it checks the domain of the From in the settings (by default BULLETIN_FROM's)")
	}
	cfg, err := m.deliverabilityConfig()
	if err != nil {
		return err
	}
	stored, err := m.withStoredDomains(ctx, &cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	rep := deliverability.Check(ctx, m.resolver(), cfg)
	if stored != "" {
		adviseSettingsFrom(rep, stored)
	}
	printReport(m.Stdout, cfg, rep)
	// A malformed setting the checks do not use was said as a warning
	// rather than stopping them: the operator learns of it and of the DNS
	// in one run. serve refuses it, so the install is not ready either.
	alsoSettings := ""
	if m.unusedRefused > 0 {
		alsoSettings = "; fix the settings the warnings above name too, as bulletin serve refuses them"
	}
	if err := dnsVerdict(rep, alsoSettings); err != nil {
		return err
	}
	if m.unusedRefused > 0 {
		return fmt.Errorf("the DNS records are in place, but bulletin serve refuses the settings the warnings above name: fix them, then run bulletin doctor again")
	}
	return nil
}

// withStoredDomains puts the domains that the database knows of into cfg
// when there is a database here to read them from: the publication's
// From saved in the settings (first-run setup asks for it) takes the
// place of BULLETIN_FROM's, which is only its default and then sends no
// mail, and the lists' own From domains are added. It returns the domain
// of the From saved in the settings, or "" when none is saved. A send
// worker's machine has no database, and checks BULLETIN_FROM's domain
// alone.
func (m *Main) withStoredDomains(ctx context.Context, cfg *deliverability.Config) (string, error) {
	stored, err := m.storedFromDomain(ctx)
	if err != nil || m.app == nil {
		return "", err
	}
	if stored != "" {
		cfg.Domains = []string{stored}
	}
	more, err := m.app.Subscribers.FromDomains(ctx)
	*cfg = cfg.WithDomains(more...)
	return stored, err
}

// storedFromDomain is the domain of the From address saved in the
// settings (web setup or /admin/settings), or "" when none is saved or
// there is no database here; it opens the database when there is one.
func (m *Main) storedFromDomain(ctx context.Context) (string, error) {
	if _, err := os.Stat(filepath.Join(m.Config.Data, "bulletin.db")); err != nil {
		return "", nil
	}
	if m.app == nil {
		if err := m.openDB(ctx); err != nil {
			return "", err
		}
	}
	p, err := m.app.Settings.Stored(ctx)
	if err != nil {
		return "", err
	}
	return addressDomain(p.FromAddress), nil
}

// addressDomain is the domain of the address a, lower case and without a
// final dot, or "" when a is not an address.
func addressDomain(a string) string {
	addr, err := mail.ParseAddress(a)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:], "."))
}

// adviseSettingsFrom points the finding of a From at a host with no DNS
// to the settings page when that From is the one saved there (domain):
// the deliverability checks advise setting BULLETIN_FROM, which is only
// the default of an empty From field and would change nothing.
func adviseSettingsFrom(rep deliverability.Report, domain string) {
	for i, f := range rep.Findings {
		if f.Check == "From" && f.Status == deliverability.Error && f.Domain == domain {
			rep.Findings[i].Detail = "the From address is at " + domain + ", which is not a domain on the internet: " +
				"change the From address at /admin/settings to one at your own domain, the one whose DNS you publish these records in"
		}
	}
}

// resolver is Main's Resolver, by default the system's.
func (m *Main) resolver() deliverability.Resolver {
	if m.Resolver != nil {
		return m.Resolver
	}
	return net.DefaultResolver
}

// deliverabilityConfig gathers what the checks compare the DNS with: the
// From domain, the relay's host (never its credentials), the DKIM keys
// and the bounce domain.
func (m *Main) deliverabilityConfig() (deliverability.Config, error) {
	c := m.Config
	cfg := deliverability.Config{BounceDomain: c.BounceDomain}
	if d := addressDomain(c.From); d != "" {
		cfg.Domains = []string{d}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err == nil {
			cfg.Relay = u.Hostname()
		}
	}
	if u, err := url.Parse(c.BaseURL); err == nil && isDomain(u.Hostname()) {
		cfg.BounceHost = u.Hostname() // where Bulletin runs, the likeliest host to take its bounces
	}
	byDomain, err := c.dkimKeysByDomain()
	cfg.DomainKeys = map[string][]dkim.Key{}
	for d, keys := range byDomain {
		cfg.DomainKeys[d] = keys
		cfg.Keys = append(cfg.Keys, keys...)
	}
	return cfg, err
}

// dnsVerdict is doctor's last line about the DNS, nil when every record
// is in place. Checks whose lookups got no answer (no network, a resolver
// that fails) are said apart: their records were not seen, and "publish
// or fix the records above" sent an operator with no DNS at all to
// change records that may well be right. also ends a line that fails.
func dnsVerdict(rep deliverability.Report, also string) error {
	wrong, unchecked := rep.Count()
	if wrong == 0 && unchecked == 0 {
		return nil
	}
	why := "the DNS lookups they need got no answer"
	if reason := rep.LookupReason(); reason != "" {
		why += " (" + reason + ")"
	}
	fix := "check that this machine reaches its DNS resolver (its network, /etc/resolv.conf), then run bulletin doctor again"
	switch {
	case wrong == 0:
		return fmt.Errorf("%d of %d checks could not be made: %s, so those records were not checked, not found wrong: %s%s",
			unchecked, len(rep.Findings), why, fix, also)
	case unchecked > 0:
		return fmt.Errorf("%d of %d checks failed: publish or fix the records above (DNS changes can take the records' TTL to show); %d more could not be made: %s, so those records were not checked: %s%s",
			wrong, len(rep.Findings), unchecked, why, fix, also)
	}
	return fmt.Errorf("%d of %d checks failed: publish or fix the records above, then run bulletin doctor again (DNS changes can take the records' TTL to show)%s", wrong, len(rep.Findings), also)
}

// printReport writes the findings as a table: level, check, domain and
// what was found, with the record to publish under a finding that has one.
// A check that could not be made is NOT CHECKED, not ERROR: its record
// was not seen, so it is not known to be wrong, and the detail says why.
func printReport(w io.Writer, cfg deliverability.Config, rep deliverability.Report) {
	relay := "the outbox (no BULLETIN_SMTP_URL)"
	if cfg.Relay != "" {
		relay = cfg.Relay
	}
	fmt.Fprintf(w, "Deliverability of %s: mail through %s, %d DKIM key(s)", strings.Join(cfg.Domains, ", "), relay, len(cfg.Keys))
	if cfg.BounceDomain != "" {
		fmt.Fprintf(w, ", bounces to %s", cfg.BounceDomain)
	}
	fmt.Fprint(w, "\n\n")
	wl, wc, wd := len("missing"), len("check"), len("domain")
	for _, f := range rep.Findings {
		wl, wc, wd = max(wl, len(f.Level())), max(wc, len(f.Check)), max(wd, len(f.Domain))
	}
	indent := strings.Repeat(" ", wl+1+wc+1+wd+1)
	for _, f := range rep.Findings {
		fmt.Fprintf(w, "%-*s %-*s %-*s %s\n", wl, strings.ToUpper(string(f.Level())), wc, f.Check, wd, f.Domain, f.Detail)
		if f.Publish != nil {
			fmt.Fprintf(w, "%spublish: %s\n", indent, f.Publish)
		}
	}
}
