package mailer

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// Metrics count what senders do. A nil *Metrics counts nothing.
type Metrics struct {
	messages *prometheus.CounterVec
	latency  prometheus.Histogram
}

// NewMetrics registers the delivery metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bulletin_mail_messages_total",
			Help: "Campaign messages by result: sent, bounced, failed, retry.",
		}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "bulletin_mail_send_seconds",
			Help:    "Time from handing a message to the transport to the server's answer.",
			Buckets: prometheus.ExponentialBuckets(0.00005, 2.5, 12),
		}),
	}
	reg.MustRegister(m.messages, m.latency)
	return m
}

func (m *Metrics) observe(d time.Duration) {
	if m == nil {
		return
	}
	m.latency.Observe(d.Seconds())
}

func (m *Metrics) count(status string) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(status).Inc()
}

// A DepthCollector reports the size of Bulletin's queues on each scrape.
type DepthCollector struct {
	rdb  redis.UniversalClient
	insp *asynq.Inspector
	desc *prometheus.Desc
}

// NewDepthCollector returns a collector asking the Redis of rdb.
func NewDepthCollector(rdb redis.UniversalClient) *DepthCollector {
	return &DepthCollector{
		rdb:  rdb,
		insp: asynq.NewInspectorFromRedisClient(rdb),
		desc: prometheus.NewDesc("bulletin_queue_tasks", "Tasks in a queue by state.", []string{"queue", "state"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (d *DepthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

// Collect implements prometheus.Collector.
func (d *DepthCollector) Collect(ch chan<- prometheus.Metric) {
	// A Redis that lost its data may hold tasks in a queue asynq's list
	// no longer names (tasks.Announce); an error is left to the reads.
	_ = tasks.Announce(context.Background(), d.rdb)
	for _, q := range []string{tasks.QueueSend, tasks.QueueResults, tasks.QueueDefault} {
		info, err := d.insp.GetQueueInfo(q)
		if err != nil {
			continue // Redis does not answer: no figures rather than zeros
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active, "retry": info.Retry, "scheduled": info.Scheduled, "archived": info.Archived} {
			ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(n), q, state)
		}
	}
}
