package main

import (
	"context"
	"path/filepath"

	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
)

// openSettings opens the publication settings on the database openDB
// opened: BULLETIN_BASE_URL and BULLETIN_FROM are the defaults of the
// fields left empty, and logos live in DATA/media.
func (m *Main) openSettings() {
	m.app.Settings = pubsettings.NewStore(m.app.DB, filepath.Join(m.Config.Data, "media"),
		pubsettings.Defaults{PublicURL: m.Config.BaseURL, From: m.Config.From})
	m.app.Settings.Log = m.Log
}

// publicURL is the public URL in force: the stored one, or
// BULLETIN_BASE_URL (or its default) when none is stored.
func (m *Main) publicURL(ctx context.Context) string {
	p, err := m.app.Settings.Publication(ctx)
	if err != nil {
		m.Log.Error("read the publication settings", "err", err)
		return m.Config.BaseURL
	}
	return p.PublicURL
}

// warnBaseURL logs a warning when BULLETIN_BASE_URL is set and the public
// URL stored in the settings is another: the stored one wins, in serve and
// in the mail every command builds, so links keep one address.
//
// It warns too of a public URL saved with a path before such URLs were
// refused: the links in mail carry the path while the pages answer only
// at the root, so they lead to 404s until the settings are saved again.
func (m *Main) warnBaseURL(ctx context.Context) error {
	p, err := m.app.Settings.Stored(ctx)
	if err != nil {
		return err
	}
	if _, why := pubsettings.TidyPublicURL(p.PublicURL, "https://news.example.com"); p.PublicURL != "" && why != "" {
		m.Log.Warn("the public URL saved at /admin/settings will not work: "+why+"; links in mail lead to pages Bulletin does not serve until it is changed there",
			"public_url", p.PublicURL)
	}
	if !m.Config.BaseURLSet {
		return nil
	}
	if p.PublicURL != "" && p.PublicURL != m.Config.BaseURL {
		m.Log.Warn("BULLETIN_BASE_URL differs from the public URL in the settings; links use the settings' one. "+
			"Change it at /admin/settings, or unset BULLETIN_BASE_URL", "BULLETIN_BASE_URL", m.Config.BaseURL, "public_url", p.PublicURL)
	}
	return nil
}

// warnLinksFromAddr warns, in a command that has built mail beside serve
// (after its own report, so that an error stays one line), when no public
// URL is saved and BULLETIN_BASE_URL is unset: the mail's
// links, List-Unsubscribe's included, then lead to the address made from
// this command's BULLETIN_ADDR, which is not where serve listens unless
// both were started with the same one.
func (m *Main) warnLinksFromAddr(ctx context.Context) error {
	if m.Config.BaseURLSet {
		return nil
	}
	p, err := m.app.Settings.Stored(ctx)
	if err != nil || p.PublicURL != "" {
		return err
	}
	m.Log.Warn("no public URL is saved and BULLETIN_BASE_URL is unset: the links in the mails just built lead to "+m.Config.BaseURL+
		", made from BULLETIN_ADDR. Save the public URL at /admin/settings, or give this command serve's BULLETIN_ADDR or BULLETIN_BASE_URL",
		"links", m.Config.BaseURL)
	return nil
}
