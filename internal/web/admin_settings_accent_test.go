package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestSettingsLightAccentIsSavedWithANotice: an accent too light to read
// as text on white (#ffe14d, 1.3:1) is saved, not refused, and the
// settings page then says which darker shade links are shown in; the
// pages' links take that shade while buttons keep the accent. An accent
// that reads brings no notice.
func TestSettingsLightAccentIsSavedWithANotice(t *testing.T) {
	s, a := newSettingsServer(t)
	const notice = "Links are shown in a darker shade of your accent colour."
	if _, body := a.get("/admin/settings"); strings.Contains(body, notice) {
		t.Fatal("the default accent brings the notice")
	}
	fields := goodSettings()
	fields.Set("accent", "#FFE14D")
	resp, body := a.postSettings(fields, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/settings with a light accent = %d, want it saved:\n%s", resp.StatusCode, body)
	}
	if p, err := s.Settings.Stored(context.Background()); err != nil || p.Accent != "#ffe14d" {
		t.Fatalf("stored accent = %q (%v), want #ffe14d", p.Accent, err)
	}
	_, body = a.get("/admin/settings")
	if !strings.Contains(body, notice) || !strings.Contains(body, "shown on white in #8a7300") {
		t.Errorf("the settings page after saving #ffe14d does not name the shade links are shown in:\n%s", body)
	}
	if !strings.Contains(body, "--accent:#8a7300;--fill:#ffe14d;--on-accent:#111827;") {
		t.Error("the admin pages do not show links in the shade and buttons in the accent")
	}
	fields.Set("accent", "#b45309")
	if resp, body := a.postSettings(fields, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/settings = %d:\n%s", resp.StatusCode, body)
	}
	if _, body = a.get("/admin/settings"); strings.Contains(body, notice) {
		t.Error("an accent that reads (#b45309) still brings the notice")
	}
}
