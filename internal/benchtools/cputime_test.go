//go:build unix

package benchtools_test

import (
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/benchtools"
)

// CPUTime counts the work the process does: a loop that keeps a core
// busy moves it on, as a wall clock would not tell on a loaded machine.
func TestCPUTimeCountsWork(t *testing.T) {
	start := benchtools.CPUTime(t)
	deadline := time.Now().Add(10 * time.Second)
	sum := 0
	for benchtools.CPUTime(t)-start < 20*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("CPU time moved %v in 10 s of a busy loop, want 20ms", benchtools.CPUTime(t)-start)
		}
		for i := range 100_000 {
			sum += i
		}
	}
	if sum == 0 {
		t.Fatal("the loop did nothing")
	}
}
