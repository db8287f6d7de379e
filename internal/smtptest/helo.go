package smtptest

import (
	"bufio"
	"bytes"
	"strings"
	"sync"
)

// Hellos records the names clients give in EHLO and HELO. Pass it to
// WithHellos; it reads them from the conversation WithDebug copies, so
// the two cannot be used together.
type Hellos struct {
	mu    sync.Mutex
	names []string
}

// WithHellos makes the server record in h the name of each EHLO and HELO.
func WithHellos(h *Hellos) Option { return WithDebug(h) }

// Write takes a piece of the conversation: a line the client sent (a
// command arrives whole in one read on loopback) or the server wrote.
func (h *Hellos) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		verb, name, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if ok && (strings.EqualFold(verb, "EHLO") || strings.EqualFold(verb, "HELO")) {
			h.mu.Lock()
			h.names = append(h.names, strings.TrimSpace(name))
			h.mu.Unlock()
		}
	}
	return len(p), nil
}

// Names returns the names given so far, in the order they came.
func (h *Hellos) Names() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.names...)
}
