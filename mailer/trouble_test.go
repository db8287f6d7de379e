package mailer_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A relay that refuses mail for now is in the log, where monitoring looks,
// not only on the campaign's page: one WARN for the same answer however
// many messages it refuses, and one INFO when it takes mail again.
func TestSenderLogsTheRelaysTroubleOnceAndItsEnd(t *testing.T) {
	mailer.SetTroubleGap(t.Cleanup, 50*time.Millisecond)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	var log logtest.Buffer
	s := &mailer.Sender{Batch: smtpTo(t, srv), Ledger: &memLedger{}, Chunk: 5, Log: slog.New(slog.NewTextHandler(&log, nil))}
	ctx := context.Background()
	s.Send(ctx, sendPayload(10, time.Now())) // every message refused for now: the task is to be retried

	const refused, again = "the mail server did not take a message; it waits for its retry", "the mail server takes mail again"
	lines := log.Lines(refused)
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], `reply="451 4.3.0 Try again later"`) || !strings.Contains(lines[0], "campaign=7") {
		t.Fatalf("10 messages refused with 451: want one WARN naming the campaign and the reply, got:\n%s", log.String())
	}
	if strings.Contains(log.String(), "@") {
		t.Errorf("the log names an address:\n%s", log.String())
	}
	if n := len(log.Lines(again)); n != 0 {
		t.Errorf("%d lines say the server takes mail again while it refused all", n)
	}

	srv.SetFaults(smtptest.Faults{})
	time.Sleep(60 * time.Millisecond) // the WARN is older than the gap
	if err := s.Send(ctx, sendPayload(10, time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, sendPayload(10, time.Now())); err != nil {
		t.Fatal(err)
	}
	if lines := log.Lines(again); len(lines) != 1 || !strings.Contains(lines[0], "level=INFO") {
		t.Errorf("the server took 20 messages again: want one INFO line, got:\n%s", log.String())
	}
	if n := len(log.Lines(refused)); n != 1 {
		t.Errorf("%d WARN lines, want still 1", n)
	}

	// A relay that refuses every other message (throttling, one reader's
	// greylisting) makes no line a message: within the gap, one WARN.
	mailer.SetTroubleGap(t.Cleanup, time.Hour)
	warns, infos := len(log.Lines(refused)), len(log.Lines(again))
	srv.SetFaults(smtptest.Faults{TempFailRate: 0.5, Seed: 7})
	for range 10 {
		s.Send(ctx, sendPayload(10, time.Now()))
	}
	if w, i := len(log.Lines(refused))-warns, len(log.Lines(again))-infos; w > 1 || i > 0 {
		t.Errorf("100 messages, half refused: %d more WARN and %d more INFO lines, want at most one WARN and no INFO:\n%s", w, i, log.String())
	}
}
