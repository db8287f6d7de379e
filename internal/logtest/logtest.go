// Package logtest gives tests a log sink that a server's goroutines may
// write to at the same time as the test reads it. Only tests import it.
package logtest

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// A Buffer collects what is written to it, from any goroutine. The zero
// value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Lines returns the lines written so far by a slog text handler whose
// message is msg, in order.
func (b *Buffer) Lines(msg string) []string {
	field := " msg=" + msg + " "
	if msg == "" || strings.ContainsAny(msg, " \"=") {
		field = " msg=" + strconv.Quote(msg) + " "
	}
	var out []string
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line+" ", field) {
			out = append(out, line)
		}
	}
	return out
}
