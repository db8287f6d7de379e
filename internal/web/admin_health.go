package web

import (
	"context"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/prose"
)

// healthSince is the start of the window the dashboard's warning counts.
func (s *Server) healthSince() time.Time { return time.Now().UTC().Add(-events.HealthWindow) }

// A healthWarning is the dashboard's box when the last seven days' mail
// drew too many bounces or complaints.
type healthWarning struct {
	events.Health
	BounceRate, ComplaintRate string
	// TooManyBounces and TooManyComplaints say which threshold is passed.
	TooManyBounces, TooManyComplaints bool
}

// healthWarning returns the warning, or nil when the rates are below the
// thresholds (or nothing records events).
func (s *Server) healthWarning(ctx context.Context) (*healthWarning, error) {
	if s.Events == nil {
		return nil, nil
	}
	h, err := s.Events.Health(ctx, s.healthSince())
	if err != nil || !h.Warn() {
		return nil, err
	}
	return &healthWarning{Health: h, BounceRate: percentText(h.BounceRate()), ComplaintRate: percentText(h.ComplaintRate()),
		TooManyBounces: h.BounceRate() > events.WarnBounceRate, TooManyComplaints: h.ComplaintRate() > events.WarnComplaintRate}, nil
}

// feedbackRates are a campaign's bounce and complaint rates as shown
// next to its sent count, of the messages that left (sent or bounced):
// Bounces and Complaints count them, Base names what they are counted
// of, "13 sent" or, once some bounced, "16 sent or bounced", so that the
// line does not read as of the sent count beside it. Base is empty when
// nothing left, and the page says there is nothing to count.
type feedbackRates struct {
	Bounce, Complaint   string
	Bounces, Complaints int
	Base                string
}

func ratesOf(st campaigns.Stats) feedbackRates {
	left := st.Sent + st.Bounced
	if left == 0 {
		return feedbackRates{Bounce: "–", Complaint: "–"}
	}
	base := prose.Number(left) + " sent"
	if st.Bounced > 0 {
		base += " or bounced"
	}
	return feedbackRates{Bounce: percentText(float64(st.Bounced) / float64(left)),
		Complaint: percentText(float64(st.Complaints) / float64(left)),
		Bounces:   st.Bounced, Complaints: st.Complaints, Base: base}
}

// percentText shows a rate as a percentage with the precision the
// thresholds need: 2 % bounces, 0.08 % complaints.
func percentText(r float64) string {
	p := r * 100
	prec := 2
	if p >= 10 {
		prec = 1
	}
	return strconv.FormatFloat(p, 'f', prec, 64) + " %"
}
