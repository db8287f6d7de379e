package web

import (
	"context"
	"net/http"
	"net/mail"
	"slices"
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
	Config  deliverability.Config
	Checked bool
	// Failed is set when a record is missing or wrong. NotChecked counts
	// the checks that could not be made, their lookups unanswered for
	// Reason: their records were not seen, so they are neither wrong nor
	// passed, and the page says so apart.
	Failed     bool
	NotChecked int
	Reason     string
	Findings   []findingRow
}

// A findingRow is a finding as the page shows it. FromFix is set on the
// finding of a From at a host with no DNS whose fix is in the settings:
// "stored", the From saved there; "default", BULLETIN_FROM's, which an
// empty From field in the settings takes. The page then says where to
// change it, with a link, in place of the checks' advice to set
// BULLETIN_FROM: the From saved at /admin/settings is what mail goes out
// from, so that advice would change nothing, or send the editor to the
// server's environment for what the settings do while serve runs.
type findingRow struct {
	deliverability.Finding
	FromFix string
}

// deliverabilityPage runs the DNS checks of SPEC §5 and shows each
// finding with the record to publish. A slow DNS cannot hold the page:
// what is unanswered at the timeout shows as not checked.
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
		wrong, unchecked := rep.Count()
		p.Checked, p.Failed, p.NotChecked, p.Reason = true, wrong > 0, unchecked, rep.LookupReason()
		p.Findings = findingRows(rep, s.Settings != nil, stored, s.Deliverability.Config.Domains)
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_deliverability", p)
}

// findingRows are rep's findings, the From at a host with no DNS pointed
// to the settings (settings: the server has them) when that From is the
// one saved there (stored, its domain) or, with none saved, BULLETIN_FROM's
// (defaults, its domains); a list's own From is changed on its list's
// page, and keeps the checks' words.
func findingRows(rep deliverability.Report, settings bool, stored string, defaults []string) []findingRow {
	rows := make([]findingRow, len(rep.Findings))
	for i, f := range rep.Findings {
		rows[i].Finding = f
		if !settings || f.Check != "From" || f.Status != deliverability.Error {
			continue
		}
		switch {
		case stored != "" && f.Domain == stored:
			rows[i].FromFix = "stored"
		case stored == "" && slices.ContainsFunc(defaults, func(d string) bool { return strings.EqualFold(strings.TrimSuffix(d, "."), f.Domain) }):
			rows[i].FromFix = "default"
		}
	}
	return rows
}
