package web

import (
	"context"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/templates"
)

// SettingsDeps are what the publication settings need.
type SettingsDeps struct {
	// Settings hold the publication's name, brand, public URL and
	// sender; nil leaves pages with the default brand and links on
	// BaseURL.
	Settings *settings.Store
}

// settingsPage is /admin/settings: the form, with the values in force as
// placeholders where a field is left to its default.
type settingsPage struct {
	adminPage
	P        settings.Publication // the form's values: stored, or as posted
	Current  settings.Publication // in force, defaults filled in
	Empty    settings.Publication // what each field takes when left empty
	Base     string               // the public URL the webhook addresses start with
	LogoPath string               // the current logo, "" for none
	Errors   map[string]string
	Error    string
	// Required holds, by form name, the fields that may not be left
	// empty (settings.Store.EmptyRefused): the page marks them, and
	// says what each other one left empty gives.
	Required map[string]string
	Webhooks []webhookSecretRow // nil when the webhooks are not wired
	// Hooks, LogoChosen and RemoveLogo are what a refused form shows
	// again beside P: the webhook fields as typed (secrets only as
	// typed, never their value), whether a logo file was chosen (a
	// browser cannot be given it back) and the remove-logo box.
	Hooks      webhookForm
	LogoChosen bool
	RemoveLogo bool
	// LinkShade is the darker shade links are shown in when the accent in
	// force is too light to read on white (settings.LinkShade), else "".
	LinkShade string
}

// settingsRoutes registers the settings page and the media files it
// uploads, and gives the page templates the publication's brand.
func (s *Server) settingsRoutes() {
	if s.Settings == nil {
		return
	}
	if t, ok := s.Pages.(*templates.Templates); ok && t != nil {
		t.SetBrand(s.brand)
	}
	if s.Templates != nil {
		s.Templates.SetBrand(s.brand)
	}
	s.adminHandle("GET /admin/settings", s.settingsForm)
	// The form carries the logo: it gets its own limit, checked before
	// requireAdmin reads the body for the CSRF field, so that a file too
	// large gets this page saying so rather than the API's JSON 413.
	s.mux.Handle("POST /admin/settings", adminHeaders(s.limitSettings(s.requireAdmin(s.styleNotFound(s.saveSettingsForm)))))
	s.handle("GET /media/{name}", s.mediaFile)
}

// maxSettingsForm bounds the settings form: a logo at the limit and the
// text fields around it.
const maxSettingsForm = settings.MaxLogoBytes + 64<<10

// limitSettings bounds the settings form at maxSettingsForm (limitUpload).
// A larger one gets formTooLarge's page: the body is not read, so the
// fields typed cannot be shown again, but the browser keeps them on Back,
// and the page says so with the logo's limit. (The settings page with the
// stored values, shown here before, asked for the form to be filled in
// again.)
func (s *Server) limitSettings(next http.Handler) http.Handler {
	return s.limitUpload(next, func() int64 { return maxSettingsForm }, func(w http.ResponseWriter, r *http.Request) {
		s.formTooLarge(w, r, maxSettingsForm)
	})
}

// brand is what pages show of the publication now. The settings are
// cached in memory, so no request's context is needed to read them.
func (s *Server) brand() templates.Brand {
	p, err := s.Settings.Publication(context.Background())
	if err != nil {
		s.Log.Error("read settings for a page; it shows the default brand", "err", err)
		return templates.DefaultBrand()
	}
	return p.Brand()
}

// settingsForm shows the settings as stored.
func (s *Server) settingsForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.Settings.Stored(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderSettings(w, r, http.StatusOK, &settingsPage{P: p})
}

// renderSettings shows page with what is in force beside the form.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, page *settingsPage) {
	cur, err := s.Settings.Publication(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	page.Current = cur
	page.Empty = s.Settings.EmptyGives(page.P)
	page.Required = s.Settings.EmptyRefused()
	page.Base = s.publicURL(r)
	page.LinkShade = settings.LinkShade(cur.Accent)
	if page.Webhooks, err = s.webhookRows(r.Context()); err != nil {
		s.adminError(w, r, err)
		return
	}
	if cur.Logo != "" {
		page.LogoPath = settings.MediaPath + cur.Logo
	}
	s.renderAdmin(w, r, status, "admin_settings", page)
}

// mediaFile serves an uploaded logo. Its name holds the hash of its
// bytes, so it is cached for good; it is served as the type its bytes
// were checked to be, never sniffed.
func (s *Server) mediaFile(w http.ResponseWriter, r *http.Request) {
	path, ctype, ok := s.Settings.MediaFile(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeFile(w, r, path)
}
