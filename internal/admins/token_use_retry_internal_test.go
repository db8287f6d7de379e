package admins

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A use is written again once TokenUseInterval has passed since a write
// of one failed: the failure stops the writes for a while, not for good.
func TestTokenUseWrittenAgainAfterTheMinute(t *testing.T) {
	s := NewStore(sqlitetest.Open(t))
	ctx := context.Background()
	secret, err := s.CreateToken(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	s.useFailedAt.Store(time.Now().Add(-TokenUseInterval + time.Second).UnixNano())
	s.CheckToken(ctx, secret)
	if list, _ := s.ListTokens(ctx); !list[0].LastUsedAt.IsZero() {
		t.Fatalf("a use was written within the minute of a failure: %v", list[0].LastUsedAt)
	}
	s.useFailedAt.Store(time.Now().Add(-TokenUseInterval).UnixNano())
	s.CheckToken(ctx, secret)
	if list, _ := s.ListTokens(ctx); list[0].LastUsedAt.IsZero() {
		t.Error("no use was written a minute after a failure")
	}
}
