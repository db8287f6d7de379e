package web

import "context"

// gettingStarted is the dashboard's list of what a new install still
// lacks before readers get good mail from it. Mail going to the outbox is
// told apart, above it, for as long as it lasts: it loses every reader
// who signs up meanwhile.
type gettingStarted struct {
	Outbox   bool // no SMTP server: mail is written to the outbox
	Postal   bool // the postal address every mail's footer needs is set
	Readers  bool // a reader confirmed: the signup form is out there
	Articles bool // a list has its digest on, or a campaign was written
}

// Open reports whether a step of the list is left.
func (g *gettingStarted) Open() bool { return !g.Postal || !g.Readers || !g.Articles }

// gettingStarted reads the steps' state; confirmed is how many readers
// are confirmed and campaigns whether any campaign exists.
func (s *Server) gettingStarted(ctx context.Context, confirmed int, campaigns bool) (*gettingStarted, error) {
	g := &gettingStarted{Outbox: s.Outbox != nil, Postal: true, Readers: confirmed > 0, Articles: campaigns}
	if s.Settings != nil {
		p, err := s.Settings.Publication(ctx)
		if err != nil {
			return nil, err
		}
		g.Postal = p.PostalAddress != ""
	}
	if !g.Articles {
		lists, err := s.Subscribers.Lists(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range lists {
			if l.Digest != "off" {
				g.Articles = true
			}
		}
	}
	return g, nil
}
