package mailer

import (
	"fmt"
	"testing"
	"time"
)

// outboxName writes what fmt and time.Format wrote before it: the names
// sort by time, as List and /admin/outbox rely on.
func TestOutboxNameIsTheDocumentedForm(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 11, 27, 10, 30, 0, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		time.Date(2027, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	for i, at := range times {
		for _, seq := range []uint64{0, 1, 42, 999999} {
			want := fmt.Sprintf("%s-%d-%06d.eml", at.Format("20060102T150405.000000000Z"), pid, seq)
			if got := outboxName(at, seq); got != want {
				t.Errorf("time %d, seq %d: outboxName = %q, want %q", i, seq, got, want)
			}
		}
	}
	a := outboxName(times[1], 7)
	b := outboxName(times[1].Add(time.Nanosecond), 3)
	if a >= b {
		t.Errorf("a name a nanosecond later sorts first: %q, %q", a, b)
	}
}
