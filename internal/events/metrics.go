package events

import "github.com/prometheus/client_golang/prometheus"

// Metrics count the events recorded, by kind and source. Both labels take
// only the values Record accepts, so the series are few and fixed.
type Metrics struct {
	events *prometheus.CounterVec
}

// NewMetrics registers the counters on reg; register them once per
// process and share them between stores with SetMetrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{events: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bulletin_feedback_events_total",
		Help: "Bounces and complaints recorded (each once however often reported), by kind and source.",
	}, []string{"kind", "source"})}
	reg.MustRegister(m.events)
	for _, k := range []Kind{BounceHard, BounceSoft, Complaint} {
		for _, s := range []Source{SourceDSN, SourceARF, SourceNDR, SourceIMAP, SourceSES, SourcePostmark, SourceSendGrid, SourceMailgun} {
			m.events.WithLabelValues(string(k), string(s))
		}
	}
	// Refused at send time: SendBounces.
	m.events.WithLabelValues(string(BounceHard), string(SourceSMTP))
	m.events.WithLabelValues(string(BounceSoft), string(SourceSMTP))
	return m
}

// SetMetrics sets the counters Record moves.
func (s *Store) SetMetrics(m *Metrics) { s.metrics = m }

// count adds the new bounces and complaints to the counters. An
// unsubscribe is no feedback on the mail: a sum of the series stays the
// bounces and complaints an alert is written for.
func (m *Metrics) count(evs []Event, stored []bool) {
	if m == nil {
		return
	}
	for i, ok := range stored {
		if ok && evs[i].Kind != Unsubscribe {
			m.events.WithLabelValues(string(evs[i].Kind), string(evs[i].Source)).Inc()
		}
	}
}

// SendBounces counts n bounces of kind the relay answered at send time,
// recorded by SendBounceTx (each once, whatever reports it later).
func (m *Metrics) SendBounces(kind Kind, n int) {
	if m == nil || n == 0 {
		return
	}
	m.events.WithLabelValues(string(kind), string(SourceSMTP)).Add(float64(n))
}

// Metrics returns the counters Record moves, nil when none are set.
func (s *Store) Metrics() *Metrics { return s.metrics }
