package web

import (
	"context"
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/internal/deliverability"
)

// DeliverabilityDeps are what /admin/deliverability needs: the settings
// the DNS is checked against and the resolver that asks it. Without a
// Resolver the page says the checks are off.
type DeliverabilityDeps struct {
	Resolver deliverability.Resolver
	Config   deliverability.Config
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
		p.Checked, p.Failed, p.Findings = true, rep.Failed(), rep.Findings
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_deliverability", p)
}
