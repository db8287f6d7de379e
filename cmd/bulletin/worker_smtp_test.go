package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/loopback"
)

// A worker without BULLETIN_SMTP_URL wrote the production batches it took
// to its own host's outbox, where no reader gets them, and they were
// marked sent: it now refuses to start, before it listens or asks Redis
// (here a closed port, which would otherwise be what it reports), as
// digest run and import refuse the outbox.
func TestWorkerWithoutSMTPRefusesToStart(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_REDIS_URL": "redis://" + loopback.ClosedAddr(t) + "/0"}
	args := []string{"worker"}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "bulletin worker: worker needs BULLETIN_SMTP_URL", "outbox", "never reach readers")
	if _, err := os.Stat(filepath.Join(data, "outbox")); err == nil {
		t.Error("the refused worker made an outbox folder")
	}
}
