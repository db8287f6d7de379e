package events

import (
	"testing"
	"time"
)

// gather waits for more callers only when recent batches had more, and
// never past Linger: a lone caller is not held back.
func TestGatherLingersOnlyForBusyCallers(t *testing.T) {
	cases := []struct {
		name   string
		want   int           // the largest recent batch
		linger time.Duration // the Batcher's Linger
		late   int           // jobs that arrive 20ms after the first
		got    int           // jobs in the batch
	}{
		{"lone caller does not wait", 1, time.Minute, 3, 1},
		{"busy callers are waited for", 4, time.Minute, 3, 4},
		{"linger off", 4, 0, 3, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &Batcher{MaxBatch: 256, Linger: tc.linger, jobs: make(chan *eventJob, 16), quit: make(chan struct{})}
			go func() {
				time.Sleep(20 * time.Millisecond)
				for range tc.late {
					b.jobs <- &eventJob{}
				}
			}()
			timer := time.NewTimer(time.Hour)
			timer.Stop()
			start := time.Now()
			batch := b.gather([]*eventJob{{}}, tc.want, timer)
			if len(batch) != tc.got {
				t.Errorf("batch of %d, want %d", len(batch), tc.got)
			}
			if tc.got == 1 && time.Since(start) > 10*time.Millisecond {
				t.Errorf("waited %v for nothing", time.Since(start))
			}
		})
	}
}

// A linger that expires sends the batch in hand.
func TestGatherStopsAtLinger(t *testing.T) {
	b := &Batcher{MaxBatch: 256, Linger: 5 * time.Millisecond, jobs: make(chan *eventJob, 16), quit: make(chan struct{})}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	start := time.Now()
	batch := b.gather([]*eventJob{{}}, 8, timer)
	if len(batch) != 1 || time.Since(start) < 5*time.Millisecond || time.Since(start) > 2*time.Second {
		t.Errorf("batch of %d after %v, want 1 after about 5ms", len(batch), time.Since(start))
	}
}
