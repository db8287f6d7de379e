package web

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

// saveSettingsForm takes the settings form (multipart, for the logo):
// every field is checked, and all are saved, or none with each error
// beside its field.
func (s *Server) saveSettingsForm(w http.ResponseWriter, r *http.Request) {
	u, err := settingsFromForm(r)
	var hooks webhooks.SecretsUpdate
	if err == nil {
		err = s.validateSettings(r, u, &hooks)
	}
	if err == nil {
		err = s.Settings.Save(r.Context(), u)
	}
	if err == nil && s.WebhookDeps.Secrets != nil {
		err = s.WebhookDeps.Secrets.Save(r.Context(), hooks)
	}
	switch bulletin.ErrorCode(err) {
	case "":
		s.redirectWithFlash(w, r, "/admin/settings", "settings-saved")
	case bulletin.EINVALID:
		s.renderSettings(w, r, http.StatusUnprocessableEntity, &settingsPage{P: u.Publication,
			Errors: sentences(bulletin.ErrorFields(err)), Error: refusedForm,
			Hooks: webhookFormOf(r), LogoChosen: u.Logo != nil, RemoveLogo: u.RemoveLogo})
	default:
		s.adminError(w, r, err)
	}
}

// validateSettings checks the publication fields and the webhook
// secrets together, so that a bad field of either saves nothing and every
// error shows at once.
func (s *Server) validateSettings(r *http.Request, u *settings.Update, hooks *webhooks.SecretsUpdate) error {
	fields := map[string]string{}
	if _, err := u.Validate(); err != nil {
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			return err
		}
		maps.Copy(fields, bulletin.ErrorFields(err))
	}
	for name, why := range s.Settings.CheckRequired(u.Publication) {
		if fields[name] == "" {
			fields[name] = why
		}
	}
	if s.WebhookDeps.Secrets != nil {
		var err error
		if *hooks, err = webhookSecretsFromForm(r); err != nil {
			maps.Copy(fields, bulletin.ErrorFields(err))
		}
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// settingsFromForm reads the form requireAdmin parsed into an update. A
// logo that cannot be read is a validation error on its field.
func settingsFromForm(r *http.Request) (*settings.Update, error) {
	if err := r.ParseMultipartForm(settings.MaxLogoBytes + 64<<10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return &settings.Update{}, bulletin.Invalid(map[string]string{"logo": "the form could not be read: " +
			"use a logo of at most 512 KiB and send the form again"})
	}
	f := r.PostForm
	u := &settings.Update{Publication: settings.Publication{
		Name: f.Get("name"), PublicURL: f.Get("public_url"), WebsiteURL: f.Get("website_url"), Accent: f.Get("accent"),
		PostalAddress: f.Get("postal_address"), FromName: f.Get("from_name"), FromAddress: f.Get("from_address"),
		ReplyTo: f.Get("reply_to"), Credit: f.Get("credit") == "on", Language: f.Get("language"),
	}, RemoveLogo: f.Get("remove_logo") == "on"}
	file, _, err := r.FormFile("logo")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return u, nil
	} else if err != nil {
		return u, fmt.Errorf("read logo: %w", err)
	}
	defer file.Close()
	// The body is under limitSettings' bound: read it all, so the refusal
	// of a file over the logo's limit can say its size.
	if u.Logo, err = io.ReadAll(file); err != nil {
		return u, fmt.Errorf("read logo: %w", err)
	}
	if len(u.Logo) == 0 {
		u.Logo = nil // the file field left empty
	}
	return u, nil
}
