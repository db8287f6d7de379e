package admins_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A token's use is recorded, at most once a minute.
func TestCheckTokenRecordsLastUse(t *testing.T) {
	s, db := store(t)
	ctx := context.Background()
	secret, err := s.CreateToken(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	list, _ := s.ListTokens(ctx)
	if len(list) != 1 || !list[0].LastUsedAt.IsZero() {
		t.Fatalf("a new token has a last use: %+v", list)
	}
	if ok, err := s.CheckToken(ctx, secret); !ok || err != nil {
		t.Fatalf("CheckToken = %v, %v", ok, err)
	}
	list, _ = s.ListTokens(ctx)
	first := list[0].LastUsedAt
	if time.Since(first) > time.Minute {
		t.Fatalf("last use after a check = %v", first)
	}
	// Within the minute a use writes nothing; after it, it does.
	if ok, _ := s.CheckToken(ctx, secret); !ok {
		t.Fatal("second check failed")
	}
	if list, _ = s.ListTokens(ctx); !list[0].LastUsedAt.Equal(first) {
		t.Errorf("a use within the minute wrote %v over %v", list[0].LastUsedAt, first)
	}
	stale := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Microsecond)
	db.Write.Exec(`UPDATE api_tokens SET last_used_at = ?`, stale)
	s.CheckToken(ctx, secret)
	if list, _ = s.ListTokens(ctx); !list[0].LastUsedAt.After(stale.Add(time.Minute)) {
		t.Errorf("a use after the minute left last use at %v", list[0].LastUsedAt)
	}
}

// Revoking by id revokes that token only.
func TestRevokeTokenID(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	a, _ := s.CreateToken(ctx, "ci")
	b, _ := s.CreateToken(ctx, "deploy")
	list, _ := s.ListTokens(ctx)
	if err := s.RevokeTokenID(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.CheckToken(ctx, a); ok {
		t.Error("the revoked token still checks")
	}
	if ok, _ := s.CheckToken(ctx, b); !ok {
		t.Error("the other token was revoked too")
	}
	if err := s.RevokeTokenID(ctx, list[0].ID); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("revoking twice gave %v, want ENOTFOUND", err)
	}
}
