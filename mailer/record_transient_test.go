package mailer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

// A write of results is tried again only for what passes: Redis away or
// loading, SQLite busy. A fault that comes again (a constraint, a
// database closed) returns at once, not after minutes of retries that
// hold up every other campaign's results.
func TestTransientWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("remember results: %w", io.EOF), true},
		{fmt.Errorf("queue results: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{fmt.Errorf("remember results: %w", syscall.ECONNRESET), true},
		{errors.New("remember results: LOADING Redis is loading the dataset in memory"), true},
		{errors.New("remember results: READONLY You can't write against a read only replica."), true},
		{errors.New("record results: database is locked"), true},
		{errors.New("queue results: UNKNOWN: redis eval error: EOF"), true},
		{errors.New("queue results: UNKNOWN: redis eval error: dial tcp 127.0.0.1:6379: connect: connection refused"), true},
		{errors.New("record results: UNIQUE constraint failed: deliveries.id"), false},
		{errors.New("sql: database is closed"), false},
		{errors.New("encode delivery:record: json: unsupported value"), false},
		{errors.New("OOM command not allowed when used memory > 'maxmemory'."), false},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("transient(%q) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
