package events_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/events"
)

// The counter moves once per event stored, by its kind and source: the
// same event reported again, or a bad one, moves nothing.
func TestRecordCountsEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	e.store.SetMetrics(events.NewMetrics(reg))
	id := e.reader(t, "robin@tidewater.test")
	other := e.reader(t, "kai@tidewater.test")
	bounce := events.Event{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", CampaignID: e.campaign, SubscriberID: id}
	complaint := events.Event{Kind: events.Complaint, Source: events.SourceSES, CampaignID: e.campaign, SubscriberID: other}
	for range 2 { // a provider retrying
		if _, err := e.store.Record(ctx, []events.Event{bounce, complaint}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.Record(ctx, []events.Event{{Kind: "opened", Source: events.SourceDSN, Key: "x"}}); err == nil {
		t.Error("Record of a made-up kind: nil error")
	}
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "bulletin_feedback_events_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetName() + "=" + l.GetValue() + " "
			}
			got[key] = m.GetCounter().GetValue()
		}
	}
	for key, want := range map[string]float64{
		"kind=bounce_hard source=dsn ": 1,
		"kind=complaint source=ses ":   1,
		"kind=bounce_soft source=dsn ": 0,
		"kind=complaint source=arf ":   0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("bulletin_feedback_events_total{%s} = %v (present %v), want %v", key, v, ok, want)
		}
	}
	if len(got) != 26 {
		t.Errorf("%d series, want 26 (3 kinds by 8 sources, and hard and soft bounces at send time), no more: %v", len(got), got)
	}
}
