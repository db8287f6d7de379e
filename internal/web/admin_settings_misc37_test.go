package web

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// TestSettingsRefusedFormKeepsPostmarkUser: Postmark's basic-auth user
// is no secret, so a form refused for another field gives it back as
// typed, and asks for the password alone again.
func TestSettingsRefusedFormKeepsPostmarkUser(t *testing.T) {
	a, _ := newSecretsServer(t)
	const user, pass = "bounce-hook", "a-password-of-length-24"
	f := goodSettings()
	f.Set("accent", "orange")
	f.Set("webhook_postmark_user", user)
	f.Set("webhook_postmark_pass", pass)
	resp, body := a.postSettings(f, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save = %d, want 422:\n%s", resp.StatusCode, body)
	}
	if in, _, ok := m23FormInput(t, body, "webhook_postmark_user"); !ok || in["value"] != user {
		t.Errorf("webhook_postmark_user comes back as %q, want the %q typed", in["value"], user)
	}
	in, after, ok := m23FormInput(t, body, "webhook_postmark_pass")
	if !ok || in["value"] != "" {
		t.Fatalf("webhook_postmark_pass comes back as %q, want empty", in["value"])
	}
	if len(after) != 1 || !strings.Contains(after[0], "type the password again") || strings.Contains(after[0], "user and password") {
		t.Errorf("the Postmark fields are followed by %q, want one note asking for the password alone", after)
	}
	if strings.Contains(body, pass) {
		t.Error("the refused form echoes the password")
	}
}

// TestSettingsRefusesEmptyNameAndFrom: with BULLETIN_FROM at its default,
// an empty name or From address would give "Bulletin" and an address at
// localhost, which no reader's mail server takes: each is refused with
// what to type, nothing is saved, and the page marks both as required.
func TestSettingsRefusesEmptyNameAndFrom(t *testing.T) {
	a, _ := newSecretsServer(t)
	for _, tc := range []struct {
		field, says string
	}{
		{"name", "Type your publication's name"},
		{"from_address", "Type the address your mail comes from"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			f := goodSettings()
			f.Set(tc.field, "  ")
			resp, body := a.postSettings(f, nil)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("save with %s empty = %d, want 422", tc.field, resp.StatusCode)
			}
			in, after, ok := m23FormInput(t, body, tc.field)
			if !ok {
				t.Fatalf("no %s field:\n%s", tc.field, body)
			}
			if len(after) == 0 || !strings.Contains(after[0], tc.says) || in["aria-invalid"] != "true" {
				t.Errorf("%s (aria-invalid %q) is followed by %q, want its error saying %q", tc.field, in["aria-invalid"], after, tc.says)
			}
		})
	}
	_, page := a.get("/admin/settings")
	if strings.Contains(page, "Quayside") {
		t.Error("a refused form saved its other fields")
	}
	for _, field := range []string{"name", "from_address"} {
		in, after, _ := m23FormInput(t, page, field)
		if in["placeholder"] != "" {
			t.Errorf("%s shows the placeholder %q as if it were a default", field, in["placeholder"])
		}
		if len(after) == 0 || strings.Contains(after[0], "Left empty") {
			t.Errorf("%s is followed by %q, want a note without a default", field, after)
		}
	}
	if n := strings.Count(page, "(required)"); n != 2 {
		t.Errorf("the page marks %d fields as required, want the name and the From address", n)
	}
}

// TestSettingsEmptyFollowsEnvironment: with BULLETIN_FROM set to a real
// sender, leaving the name and From address empty is how the settings
// follow it: the save goes through, and the page says in words what each
// empty field gives.
func TestSettingsEmptyFollowsEnvironment(t *testing.T) {
	var store *settings.Store
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		store = settings.NewStore(db, filepath.Join(t.TempDir(), "media"),
			settings.Defaults{PublicURL: "http://localhost:8080", From: "Harbour Desk <desk@harbour.example>"})
		s.Settings = store
	})
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	f := goodSettings()
	f.Set("name", "")
	f.Set("from_address", "")
	if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save with the name and From empty = %d, want 303:\n%s", resp.StatusCode, body)
	}
	_, page := a.get("/admin/settings")
	for _, tc := range []struct{ field, says string }{
		{"name", "Left empty: “Harbour Desk”"},
		{"from_address", "Left empty: desk@harbour.example"},
	} {
		if _, after, _ := m23FormInput(t, page, tc.field); len(after) == 0 || !strings.Contains(after[0], tc.says) {
			t.Errorf("%s is followed by %q, want a note saying %q", tc.field, after, tc.says)
		}
	}
	if strings.Contains(page, "(required)") {
		t.Error("the page marks a field required that BULLETIN_FROM fills")
	}
}
