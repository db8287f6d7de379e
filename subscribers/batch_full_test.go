package subscribers

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// On a full disk every signup of a batch is told that nothing can be
// stored (EUNAVAILABLE, answered 503), and the batch is not retried one
// signup per transaction: each would fail the same, and each failure
// took the writer and logged a line.
func TestFullDiskFailsTheBatchOnce(t *testing.T) {
	signups, q := gatedSignups(t)
	close(q.open)
	reg := prometheus.NewRegistry()
	signups.Metrics = NewSignupMetrics(reg)
	db := signups.store.db
	sqlitetest.Fill(t, db, "subscribers")
	// Hold the one write connection: the commit that takes the first
	// signup waits for it, and the others queue up meanwhile, for the
	// next commit to take together.
	conn, err := db.Write.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	signup := func(i int) {
		wg.Go(func() {
			errs <- signups.Signup(context.Background(), &Signup{Email: fmt.Sprintf("r%d@example.com", i), Lists: []string{"sport"}})
		})
	}
	signup(0)
	time.Sleep(100 * time.Millisecond)
	for i := 1; i < n; i++ {
		signup(i)
	}
	for deadline := time.Now().Add(10 * time.Second); len(signups.jobs) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("%d signups queued, want 2 or more", len(signups.jobs))
		}
		time.Sleep(time.Millisecond)
	}
	conn.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if bulletin.ErrorCode(err) != bulletin.EUNAVAILABLE {
			t.Errorf("a signup on a full disk: %v, want %s", err, bulletin.EUNAVAILABLE)
		}
	}
	if _, sum := batchHistogram(t, reg); sum != n {
		t.Errorf("transactions held %v signups in all, want %d: each in one", sum, n)
	}
}
