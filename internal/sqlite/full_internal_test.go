package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// A full disk fails Ping for fullFor after the last failed write, no
// longer, when nothing is written after it: a server readiness took out
// of rotation gets no writes to clear it, and must come back once space
// is freed.
func TestFullDiskFailsPingForAWhile(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.fullAt.Store(time.Now().Add(-fullFor + time.Second).UnixNano())
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping passed within fullFor of a full disk")
	}
	db.fullAt.Store(time.Now().Add(-fullFor).UnixNano())
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping fullFor after a full disk: %v", err)
	}
}
