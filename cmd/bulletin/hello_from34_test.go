package main

import (
	"log/slog"
	"testing"

	"github.com/bulletinhq/bulletin/internal/logtest"
	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// The EHLO name's read of the saved From logs a failure once, not once a
// connection: connections made while the store closes used to log a
// WARN line each. BULLETIN_FROM's domain is said instead (the empty
// answer).
func TestFromAddressForEHLOWarnsOnce(t *testing.T) {
	db := sqlitetest.Open(t)
	var log logtest.Buffer
	m := &Main{Log: slog.New(slog.NewTextHandler(&log, nil)), app: &app{Settings: pubsettings.NewStore(db, t.TempDir(), pubsettings.Defaults{From: "news@example.com"})}}
	from := m.fromAddress()
	db.Close() // nothing read yet: every call goes to the closed store
	for range 3 {
		if got := from(); got != "" {
			t.Errorf("from() on a closed store = %q, want an empty name", got)
		}
	}
	if lines := log.Lines("read the From of the settings for EHLO; BULLETIN_FROM's domain is said instead"); len(lines) != 1 {
		t.Errorf("%d warnings, want 1:\n%s", len(lines), log.String())
	}
}
