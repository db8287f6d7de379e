package admins_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Two tokens cannot share a name, in any case: the lists show tokens by
// name, and of two called "website" the editor could not tell which to
// revoke. Once the first is revoked, its name is free again.
func TestCreateTokenRefusesATakenName(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	if _, err := s.CreateToken(ctx, "Website"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Website", "website", " WEBSITE ", "WebSite"} {
		_, err := s.CreateToken(ctx, name)
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorMessage(err), "“Website”") {
			t.Errorf("CreateToken(%q) = %v, want EINVALID naming the token that has it", name, err)
		}
	}
	// Unicode case folding, not ASCII only.
	if _, err := s.CreateToken(ctx, "Zoë"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateToken(ctx, "ZOË"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("CreateToken(ZOË) beside Zoë = %v, want EINVALID", err)
	}
	if _, err := s.CreateToken(ctx, "website-2"); err != nil {
		t.Errorf("another name: %v", err)
	}
	if list, _ := s.ListTokens(ctx); len(list) != 3 {
		t.Fatalf("%d tokens stored, want 3: %+v", len(list), list)
	}
	if _, err := s.RevokeToken(ctx, "Website"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateToken(ctx, "website"); err != nil {
		t.Errorf("the name of a revoked token: %v", err)
	}
}
