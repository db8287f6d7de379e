package web

import (
	"context"
	"html"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A From at a host with no DNS is changed in the settings, whose From is
// the one mail goes out from: the page said to set BULLETIN_FROM, which
// only an empty From field there takes. With no From saved it points to
// the settings first and BULLETIN_FROM beside; with one saved, to the
// settings alone. A list's own From keeps the checks' words.
func TestDeliverabilityFromAdviceNamesSettings(t *testing.T) {
	var store *settings.Store
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		store = settings.NewStore(d, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.Settings = store
		s.Deliverability = DeliverabilityDeps{Resolver: fakeDNS{}, Config: deliverability.Config{Domains: []string{"localhost"}}}
	})
	a.login("correct horse battery")
	_, body := a.get("/admin/deliverability")
	text := html.UnescapeString(body)
	if want := `the From address is at localhost, which is not a domain on the internet: set the From address in <a href="/admin/settings">Settings</a> (or <code>BULLETIN_FROM</code>, which an empty From there takes) to one at your own domain`; !strings.Contains(text, want) {
		t.Errorf("with no From saved, the page does not say %q:\n%s", want, body)
	}
	if strings.Contains(text, "set BULLETIN_FROM") {
		t.Errorf("with no From saved, the page says to set BULLETIN_FROM alone:\n%s", body)
	}

	// The settings refuse such a From now; one saved before they did, or
	// by first-run setup, stays.
	if err := store.Save(context.Background(), &settings.Update{Publication: settings.Publication{FromAddress: "desk@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE settings SET from_address = 'desk@intranet' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	_, body = a.get("/admin/deliverability")
	text = html.UnescapeString(body)
	if want := `the From address is at intranet, which is not a domain on the internet: change the From address in <a href="/admin/settings">Settings</a> to one at your own domain`; !strings.Contains(text, want) {
		t.Errorf("with a From saved, the page does not say %q:\n%s", want, body)
	}
	if strings.Contains(text, "BULLETIN_FROM") || strings.Contains(text, "at localhost") {
		t.Errorf("with a From saved, the page still speaks of BULLETIN_FROM's:\n%s", body)
	}
}
