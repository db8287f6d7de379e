// Package queuetest gives tests a queue on the embedded Redis-compatible
// server, closed when the test ends.
package queuetest

import (
	"testing"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// Embedded opens a queue on a fresh embedded server for t.
func Embedded(t testing.TB) *queue.Queue {
	t.Helper()
	q, err := queue.Open("")
	if err != nil {
		t.Fatalf("open embedded queue: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}
