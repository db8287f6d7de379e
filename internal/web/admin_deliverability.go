package web

import (
	"context"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/deliverability"
)

// DeliverabilityDeps are what /admin/deliverability needs: the settings
// the DNS is checked against and the resolver that asks it. Without a
// Resolver the page says the checks are off.
type DeliverabilityDeps struct {
	Resolver deliverability.Resolver
	// Config's Domains are BULLETIN_FROM's; when a From is saved in the
	// settings, the page checks its domain instead, read on each view.
	Config deliverability.Config
	// Timeout bounds the checks of one page view; 0 means 5 s.
	Timeout time.Duration
}

type deliverabilityPage struct {
	adminPage
	Config   deliverability.Config
	Checked  bool
	Failed   bool
	Findings []deliverability.Finding
}

// deliverabilityPage runs the DNS checks of SPEC §5 and shows each
// finding with the record to publish. A slow DNS cannot hold the page:
// what is unanswered at the timeout shows as an error.
func (s *Server) deliverabilityPage(w http.ResponseWriter, r *http.Request) {
	d := s.Deliverability
	// The From saved in the settings (first-run setup asks for it) is the
	// one mail goes out from, and an admin can change it while serve
	// runs: BULLETIN_FROM is only the default of an empty field.
	var stored string
	if s.Settings != nil {
		p, err := s.Settings.Stored(r.Context())
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		if a, err := mail.ParseAddress(p.FromAddress); err == nil {
			stored = strings.ToLower(strings.TrimSuffix(a.Address[strings.LastIndexByte(a.Address, '@')+1:], "."))
			d.Config.Domains = []string{stored}
		}
	}
	if s.Subscribers != nil {
		more, err := s.Subscribers.FromDomains(r.Context())
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		d.Config = d.Config.WithDomains(more...)
	}
	p := &deliverabilityPage{Config: d.Config}
	if d.Resolver != nil {
		timeout := d.Timeout
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		rep := deliverability.Check(ctx, d.Resolver, d.Config)
		if stored != "" {
			adviseSettingsFrom(rep, stored)
		}
		p.Checked, p.Failed, p.Findings = true, rep.Failed(), rep.Findings
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_deliverability", p)
}

// adviseSettingsFrom points the finding of a From at a host with no DNS
// to the settings page when that From is the one saved there (domain):
// the checks advise setting BULLETIN_FROM, which is only the default of
// an empty From field and would change nothing.
func adviseSettingsFrom(rep deliverability.Report, domain string) {
	for i, f := range rep.Findings {
		if f.Check == "From" && f.Status == deliverability.Error && f.Domain == domain {
			rep.Findings[i].Detail = "the From address is at " + domain + ", which is not a domain on the internet: " +
				"change the From address in Settings to one at your own domain, the one whose DNS you publish these records in"
		}
	}
}
