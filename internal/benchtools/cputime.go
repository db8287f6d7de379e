//go:build unix

// Package benchtools holds what the benchmarks of several packages share.
package benchtools

import (
	"syscall"
	"testing"
	"time"
)

// CPUTime is the CPU time, user and system, that the process has used so
// far: a benchmark's own work and that of the servers it runs in the same
// process (a feed site on loopback, SQLite). Read before and after a
// benchmark's loop, it changes less with the machine's other work than
// the wall time does.
func CPUTime(tb testing.TB) time.Duration {
	tb.Helper()
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
