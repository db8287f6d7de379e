package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// When serve folds old deliveries (BULLETIN_DELIVERY_RETENTION): once
// shortly after start, then every hour.
const (
	foldFirst = time.Minute
	foldEvery = time.Hour
)

// startFolder runs the delivery fold in the background until serve
// closes; with a retention of 0 (forever) it does nothing.
func (m *Main) startFolder() {
	a := m.app
	if m.Config.DeliveryRetention <= 0 {
		return
	}
	folded := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bulletin_deliveries_folded_total",
		Help: "Delivery rows folded into their campaign's totals after the retention period.",
	})
	a.Registry.MustRegister(folded)
	f := &campaigns.Folder{
		Store: campaigns.NewStore(a.DB), Retention: m.Config.DeliveryRetention, Log: m.Log,
		Folded: func(n int) { folded.Add(float64(n)) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Loop(ctx, foldFirst, foldEvery) }()
	a.closers = append(a.closers, func() error { cancel(); <-done; return nil })
}
