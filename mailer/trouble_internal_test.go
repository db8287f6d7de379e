package mailer

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/logtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// The relay's answer is logged without the addresses it may name, and a
// new answer, or a message failed at its last try, is logged though the
// last line was less than a minute ago.
func TestTroubleLogLeavesAddressesOut(t *testing.T) {
	old := troubleGap
	troubleGap = 0
	defer func() { troubleGap = old }()
	var buf logtest.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var l troubleLog
	l.refused(log, 3, tasks.ResultRetry, "450 4.2.0 <reader@example.com>: Recipient address rejected: Greylisted")
	l.refused(log, 3, tasks.ResultRetry, "450 4.2.0 <other@example.com>: Recipient address rejected: Greylisted")
	l.refused(log, 3, tasks.ResultRetry, "421 4.7.0 too many connections from reader@example.com")
	l.refused(log, 3, tasks.ResultFailed, "421 4.7.0 too many connections from reader@example.com")
	l.refused(log, 3, tasks.ResultRetry, `550 5.7.1 "john doe"@example.com: Recipient address rejected`)
	out := buf.String()
	if strings.Contains(out, "@") {
		t.Errorf("the log names an address:\n%s", out)
	}
	if n := strings.Count(out, "Greylisted"); n != 1 {
		t.Errorf("the same answer for two readers is logged %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "too many connections"); n != 2 {
		t.Errorf("a new answer and then its last try are logged %d times, want twice:\n%s", n, out)
	}
	if !strings.Contains(out, "it was the message's last try: failed") {
		t.Errorf("a message failed at its last try is not said to be:\n%s", out)
	}
}
