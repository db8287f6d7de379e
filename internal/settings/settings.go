// Package settings holds the publication's settings, edited in the admin
// area: its name, public URL, website, logo, accent colour, postal
// address, default From and Reply-To, the "Sent with Bulletin" credit,
// and the language the publisher writes in. One row in SQLite; an empty
// field takes the default from the environment (BULLETIN_BASE_URL,
// BULLETIN_FROM) or the built-in one.
package settings

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net/mail"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/templates"
)

// Defaults are what an empty field stands for, from the environment.
type Defaults struct {
	PublicURL string // BULLETIN_BASE_URL
	From      string // BULLETIN_FROM, "Name <address>"
}

// A Publication is the publication's settings. From the store's
// Publication it holds the values in force, defaults filled in, and the
// logo's size; from Stored, what was saved, empty where the default
// applies.
type Publication struct {
	Name string
	// PublicURL is the address Bulletin is reached at, the start of every
	// link in mail; no trailing slash.
	PublicURL string
	// WebsiteURL is the publisher's own site.
	WebsiteURL string
	// Logo is the logo's file name in the media folder, empty for none.
	Logo string
	// LogoSize is the logo's width and height in pixels, read from its
	// file (not saved): zero from Stored, and when the file cannot be
	// read.
	LogoSize image.Point
	// Accent is "#rrggbb".
	Accent string
	// PostalAddress has its lines separated by "\n".
	PostalAddress string
	FromName      string
	FromAddress   string
	// ReplyTo is one address, with or without a name; empty for none.
	ReplyTo string
	// Credit shows "Sent with Bulletin" in footers.
	Credit bool
	// Language is the language of the publisher's articles and campaigns,
	// a BCP 47 tag in its canonical form ("fr", "pt-BR"): mails and
	// archive pages mark the publisher's words with it. Empty, in force
	// too, for the default: English, as Bulletin's own words are
	// (templates.Brand.Lang).
	Language  string
	UpdatedAt time.Time
}

// From is the From header of mail, "Name <address>".
func (p Publication) From() string {
	return (&mail.Address{Name: p.FromName, Address: p.FromAddress}).String()
}

// LogoURL is the absolute URL of the logo, or "" without one.
func (p Publication) LogoURL() string {
	if p.Logo == "" {
		return ""
	}
	return p.PublicURL + MediaPath + p.Logo
}

// Brand is what pages and mail show of the publication.
func (p Publication) Brand() templates.Brand {
	b := templates.Brand{Name: p.Name, URL: p.PublicURL, WebsiteURL: p.WebsiteURL, Accent: p.Accent,
		PostalAddress: p.PostalAddress, Credit: p.Credit, Language: p.Language}
	if p.Logo != "" {
		b.LogoURL, b.LogoPath = p.LogoURL(), MediaPath+p.Logo
		b.LogoWidth, b.LogoHeight = templates.MastheadLogo(p.LogoSize.X, p.LogoSize.Y)
	}
	return b
}

// MediaPath is the path the media folder's files are served under.
const MediaPath = "/media/"

// A Store reads and saves the settings. Reads come from a cache that a
// save through the store empties; serve is the only process that saves.
type Store struct {
	// Log gets a line when the logo's file cannot be read (slog.Default
	// when nil).
	Log *slog.Logger

	db       *sqlite.DB
	media    string
	defaults Defaults

	mu     sync.Mutex
	cached *Publication // the stored row and the logo's size; nil when not read since the last save
	gen    int          // counts saves, so a read that raced one is not cached
}

// NewStore returns the settings on db, with logo files in the folder
// media (created on the first upload) and d for the empty fields.
func NewStore(db *sqlite.DB, media string, d Defaults) *Store {
	return &Store{db: db, media: media, defaults: d}
}

// Publication returns the settings in force: the stored ones, with the
// defaults for the empty fields.
func (s *Store) Publication(ctx context.Context) (Publication, error) {
	p, err := s.load(ctx)
	if err != nil {
		return p, err
	}
	return s.withDefaults(p), nil
}

// withDefaults fills p's empty fields. The publication is named after
// BULLETIN_FROM's display name until it has a name of its own, and the
// From's name is the publication's until it is set apart.
func (s *Store) withDefaults(p Publication) Publication {
	env, err := mail.ParseAddress(s.defaults.From)
	if err != nil {
		env = &mail.Address{}
	}
	if p.FromName == "" {
		p.FromName = cmp.Or(p.Name, env.Name)
	}
	p.Name = cmp.Or(p.Name, env.Name, "Bulletin")
	if p.FromAddress == "" {
		p.FromAddress = env.Address
	}
	if p.PublicURL == "" {
		p.PublicURL = s.defaults.PublicURL
	}
	if p.Accent == "" {
		p.Accent = templates.DefaultAccent
	}
	return p
}

// EmptyGives is what each field of the settings form takes when it is
// left empty, given the stored settings: the settings page shows these,
// not the values in force, as its fields' placeholders. The From's name
// falls back on the publication's stored name.
func (s *Store) EmptyGives(stored Publication) Publication {
	d := s.withDefaults(Publication{})
	d.FromName = s.withDefaults(Publication{Name: stored.Name}).FromName
	return d
}

// Stored returns the settings as saved: empty fields where the default
// applies, and the credit on when nothing was saved yet.
func (s *Store) Stored(ctx context.Context) (Publication, error) {
	p, err := s.load(ctx)
	p.LogoSize = image.Point{}
	return p, err
}

// load returns the stored row with the logo's size, from the cache, or
// read when a save emptied it (or none was read yet): the logo's file is
// read then, not for each mail.
func (s *Store) load(ctx context.Context) (Publication, error) {
	s.mu.Lock()
	if s.cached != nil {
		p := *s.cached
		s.mu.Unlock()
		return p, nil
	}
	gen := s.gen
	s.mu.Unlock()
	p := Publication{Credit: true}
	var updated sql.NullTime
	err := s.db.Read.QueryRowContext(ctx, `SELECT name, public_url, website_url, logo, accent, postal_address,
		from_name, from_address, reply_to, credit, language, updated_at FROM settings WHERE id = 1`).Scan(&p.Name, &p.PublicURL,
		&p.WebsiteURL, &p.Logo, &p.Accent, &p.PostalAddress, &p.FromName, &p.FromAddress, &p.ReplyTo, &p.Credit, &p.Language,
		&updated)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Publication{}, fmt.Errorf("read settings: %w", err)
	}
	if updated.Valid {
		p.UpdatedAt = updated.Time
	}
	// A URL saved before TidyURL lower-cased the scheme may start
	// "HTTPS://": links would carry it, and serve's Secure cookies and
	// HSTS, which go by "https://", would stay off.
	p.PublicURL, p.WebsiteURL = lowerScheme(p.PublicURL), lowerScheme(p.WebsiteURL)
	p.LogoSize = s.logoSize(p.Logo)
	s.mu.Lock()
	if s.gen == gen {
		s.cached = &p
	}
	s.mu.Unlock()
	return p, nil
}

// An Update is what a save of the settings form holds: every text field
// (empty for the default) and the credit, and maybe a new logo.
type Update struct {
	Publication // its Logo, LogoSize and UpdatedAt are ignored
	// Logo is a new logo's bytes; nil keeps the current one.
	Logo []byte
	// RemoveLogo takes the logo off pages and future mail.
	RemoveLogo bool
}

// Save checks every field of u and stores them all, or nothing: a bad
// field is a validation error naming it by its form name (name,
// public_url, website_url, logo, accent, postal_address, from_name,
// from_address, reply_to, language) with what to fix.
func (s *Store) Save(ctx context.Context, u *Update) error {
	logoExt, err := u.Validate()
	if err != nil {
		return err
	}
	p := u.Publication
	p.Logo = ""
	keepLogo := !u.RemoveLogo
	if u.Logo != nil {
		if p.Logo, err = s.writeLogo(u.Logo, logoExt); err != nil {
			return err
		}
		keepLogo = false
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (id, name, public_url, website_url, logo, accent, postal_address,
			from_name, from_address, reply_to, credit, language, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, public_url = excluded.public_url,
			website_url = excluded.website_url, logo = CASE WHEN ? THEN settings.logo ELSE excluded.logo END,
			accent = excluded.accent, postal_address = excluded.postal_address, from_name = excluded.from_name,
			from_address = excluded.from_address, reply_to = excluded.reply_to, credit = excluded.credit,
			language = excluded.language, updated_at = excluded.updated_at`,
			p.Name, p.PublicURL, p.WebsiteURL, p.Logo, p.Accent, p.PostalAddress, p.FromName, p.FromAddress, p.ReplyTo,
			p.Credit, p.Language, sqlite.Now(), keepLogo)
		if err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		return nil
	})
	s.mu.Lock()
	s.gen++
	s.cached = nil
	s.mu.Unlock()
	return err
}
