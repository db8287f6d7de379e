package admins_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A token's last use is bookkeeping: with the disk full, writing it
// failed every API request, a read included ("record token use: commit:
// database or disk is full"). The token still checks; the failure is
// logged once, however many requests race into it, and not tried again
// within the minute (see TestTokenUseWrittenAgainAfterTheMinute).
func TestCheckTokenOnAFullDiskStillChecks(t *testing.T) {
	s, db := store(t)
	var log logtest.Buffer
	s.Log = slog.New(slog.NewTextHandler(&log, nil))
	ctx := context.Background()
	secret, err := s.CreateToken(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	sqlitetest.Fill(t, db, "api_tokens")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := s.CheckToken(ctx, secret); !ok || err != nil {
				t.Errorf("CheckToken on a full disk = %v, %v; want true, nil", ok, err)
			}
		}()
	}
	wg.Wait()
	if got := strings.Count(log.String(), "cannot record API token use"); got != 1 || !strings.Contains(log.String(), "database or disk is full") {
		t.Errorf("%d log lines of the failure, want 1 with SQLite's words:\n%s", got, log.String())
	}
	if strings.Contains(log.String(), secret) {
		t.Errorf("the log shows the token:\n%s", log.String())
	}
	sqlitetest.Free(t, db, "api_tokens")
	if ok, _ := s.CheckToken(ctx, secret); !ok {
		t.Fatal("the token does not check once space is freed")
	}
	if list, _ := s.ListTokens(ctx); !list[0].LastUsedAt.IsZero() {
		t.Errorf("a use was written within the minute of a failure: %v", list[0].LastUsedAt)
	}
	if got := strings.Count(log.String(), "cannot record API token use"); got != 1 {
		t.Errorf("%d log lines after space was freed, want still 1", got)
	}
}
