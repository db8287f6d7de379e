package mailer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// An Outbox is a Transport that writes each message as an .eml file in a
// folder instead of sending it: what a developer reads there is exactly what
// an SMTP server would have been given.
type Outbox struct {
	Dir string
	seq atomic.Uint64
}

var _ Transport = (*Outbox)(nil)

// NewOutbox returns an Outbox writing into dir, creating it.
func NewOutbox(dir string) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create outbox: %w", err)
	}
	return &Outbox{Dir: dir}, nil
}

// Send writes msg atomically (a temporary file renamed into place), named so
// that names sort by time and two processes writing to one outbox never
// pick the same name: 20261127T103000.123456789Z-4242-000001.eml (the
// time, the process id, a counter). The envelope goes into X-Envelope-*
// lines ahead of the message so the file records who it was for; the mail
// itself is untouched below them. On Linux the file is written with one
// writev(2), the envelope and the message from where they are: in a busy
// outbox (a burst of signups' confirmations) each system call counts, and
// a copy of each message was a quarter of what serve allocated.
func (o *Outbox) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name := outboxName(time.Now().UTC(), o.seq.Add(1)%1000000)
	head := "X-Envelope-From: <" + oneLine(from) + ">\r\nX-Envelope-To: <" + oneLine(strings.Join(to, ">, <")) + ">\r\n"
	tmp := filepath.Join(o.Dir, ".tmp-"+name)
	if err := writeNewFile(tmp, []byte(head), msg); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := renameNew(tmp, filepath.Join(o.Dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// pid is in each outbox name, so that processes sharing the folder
// (serve, a command line run) never write the same name.
var pid = os.Getpid()

// outboxName is the name of the outbox file written at t (UTC) with the
// counter seq, as Send describes it. It is put together digit by digit:
// time.Format and fmt.Sprintf took 2.6 % of serve's CPU in the signup
// benchmark's outbox run, for a name a mail.
func outboxName(t time.Time, seq uint64) string {
	b := make([]byte, 0, 64)
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendDigits(b, uint64(year), 4)
	b = appendDigits(b, uint64(month), 2)
	b = appendDigits(b, uint64(day), 2)
	b = append(b, 'T')
	b = appendDigits(b, uint64(hour), 2)
	b = appendDigits(b, uint64(minute), 2)
	b = appendDigits(b, uint64(sec), 2)
	b = append(b, '.')
	b = appendDigits(b, uint64(t.Nanosecond()), 9)
	b = append(b, 'Z', '-')
	b = strconv.AppendInt(b, int64(pid), 10)
	b = append(b, '-')
	b = appendDigits(b, seq, 6)
	return string(append(b, ".eml"...))
}

// appendDigits appends n in decimal, zero-padded to width digits.
func appendDigits(b []byte, n uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for n > 0 || i > len(buf)-width {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[i:]...)
}

// List returns the names of the messages in the outbox, newest first, at
// most limit of them (all when limit ≤ 0).
func (o *Outbox) List(limit int) ([]string, error) {
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	if limit > 0 && len(names) > limit {
		names = names[:limit]
	}
	return names, nil
}

// Read returns one message by name; names from outside are checked so that
// no path outside the folder can be read.
func (o *Outbox) Read(name string) ([]byte, error) {
	if name != filepath.Base(name) || !strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, ".") {
		return nil, os.ErrNotExist
	}
	return os.ReadFile(filepath.Join(o.Dir, name))
}
