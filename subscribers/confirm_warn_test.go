package subscribers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A relay answering 451 to every confirmation for a while leaves one WARN
// for the reason, not one a confirmation and retry; a new reason is told
// at once; a confirmation cut off by serve's stop is no warning at all;
// the address never shows.
func TestConfirmWarningsAreFewDuringAnOutage(t *testing.T) {
	var logs bytes.Buffer
	c := &Confirmer{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	later := errors.New("451 4.3.0 Try again later")
	for i := range 40 {
		sub := &Subscriber{ID: int64(i + 1), Email: fmt.Sprintf("reader%d@example.test", i)}
		c.warn(sub, fmt.Errorf("smtp: %w", later))
	}
	c.warn(&Subscriber{ID: 41, Email: "ann@example.test"}, errors.New("550 5.1.1 <ann@example.test> unknown"))
	c.warn(&Subscriber{ID: 42, Email: "bo@example.test"}, fmt.Errorf("smtp: not sent: %w", context.Canceled))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2 (the 451 once, the 550):\n%s", len(lines), logs.String())
	}
	if !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "451 4.3.0") {
		t.Errorf("first line = %s, want the 451's WARN", lines[0])
	}
	if !strings.Contains(lines[1], "level=WARN") || !strings.Contains(lines[1], "550 5.1.1 <<recipient>> unknown") {
		t.Errorf("second line = %s, want the 550's WARN, the address blanked", lines[1])
	}
	if strings.Contains(logs.String(), "@example.test") {
		t.Errorf("the log names a reader's address:\n%s", logs.String())
	}

	// The same reason after warnGap is told again, with how many were
	// not told since.
	var g warnGate
	start := time.Now()
	if ok, _ := g.pass("451", start); !ok {
		t.Fatal("the first 451 was not let through")
	}
	for i := range 5 {
		if ok, _ := g.pass("451", start.Add(time.Duration(i+1)*time.Second)); ok {
			t.Fatalf("a 451 %d s after the first was let through", i+1)
		}
	}
	if ok, quiet := g.pass("451", start.Add(warnGap+time.Second)); !ok || quiet != 5 {
		t.Errorf("the 451 after the gap: let through %v, %d quiet since, want true, 5", ok, quiet)
	}
}
