package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The tokens' list shows how each secret begins, to match a secret found
// in a log to the token to revoke, and no more of it; a token made
// before the start was kept says so.
func TestAdminTokensShowHowEachSecretBegins(t *testing.T) {
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(_ *Server, d *sqlite.DB) { db = d })
	a.login("correct horse battery")
	secret, err := s.Admins.CreateToken(t.Context(), "website")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Admins.CreateToken(t.Context(), "old script"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE api_tokens SET secret_start = '' WHERE name = 'old script'`); err != nil {
		t.Fatal(err)
	}
	_, page := a.get("/admin/tokens")
	if !strings.Contains(page, "<code>"+secret[:9]+"…</code>") {
		t.Errorf("the list lacks the start %q of the token's secret:\n%s", secret[:9], page)
	}
	if strings.Contains(page, secret[:10]) {
		t.Error("the list shows more of the secret than its start")
	}
	if !regexp.MustCompile(`old script.*?not kept`).MatchString(page) {
		t.Errorf("a token made before starts were kept does not say so:\n%s", page)
	}
}
