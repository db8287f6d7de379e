package settings_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

var defaults = settings.Defaults{PublicURL: "http://localhost:8080", From: "Bulletin <newsletter@localhost>"}

func newStore(t *testing.T) (*settings.Store, *sqlite.DB, string) {
	t.Helper()
	db := sqlitetest.Open(t)
	media := filepath.Join(t.TempDir(), "media")
	return settings.NewStore(db, media, defaults), db, media
}

// pngLogo is a small real PNG.
func pngLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var full = settings.Publication{
	Name: "Harbour Gazette", PublicURL: "https://news.example", WebsiteURL: "https://harbour.example",
	Accent: "#c2410c", PostalAddress: "Harbour Gazette Ltd\n1 Quay Street\nPortsmouth PO1 2AB", FromName: "The Gazette",
	FromAddress: "news@news.example", ReplyTo: `"Desk" <desk@harbour.example>`, Credit: false,
}

// TestSettingsRoundTrip saves every field and a logo and reads them back,
// from the store that saved them (its cache invalidated) and from a new
// store on the same file, as another process would.
func TestSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, db, media := newStore(t)
	before, err := s.Publication(ctx) // fills the cache
	if err != nil {
		t.Fatal(err)
	}
	if before.Name != "Bulletin" {
		t.Fatalf("name before any save = %q, want Bulletin", before.Name)
	}
	logo := pngLogo(t)
	if err := s.Save(ctx, &settings.Update{Publication: full, Logo: logo}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(logo)
	want := full
	want.Logo = "logo-" + hex.EncodeToString(sum[:])[:16] + ".png"
	want.LogoSize = image.Pt(4, 2) // read from the file, for the masthead
	for _, st := range []*settings.Store{s, settings.NewStore(db, media, defaults)} {
		got, err := st.Publication(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(settings.Publication{}, "UpdatedAt")); diff != "" {
			t.Errorf("publication (-want +got):\n%s", diff)
		}
	}
	got, _ := s.Publication(ctx)
	if from := got.From(); from != `"The Gazette" <news@news.example>` {
		t.Errorf("From = %q", from)
	}
	b := got.Brand()
	wantBrand := templates.Brand{Name: "Harbour Gazette", URL: "https://news.example", WebsiteURL: "https://harbour.example",
		LogoURL: "https://news.example/media/" + want.Logo, LogoPath: "/media/" + want.Logo, LogoWidth: 96, LogoHeight: 48,
		Accent: "#c2410c", PostalAddress: full.PostalAddress, Credit: false}
	if diff := cmp.Diff(wantBrand, b); diff != "" {
		t.Errorf("brand (-want +got):\n%s", diff)
	}
	path, ctype, ok := s.MediaFile(want.Logo)
	if !ok || ctype != "image/png" {
		t.Fatalf("MediaFile(%q) = %q, %q, %v", want.Logo, path, ctype, ok)
	}
	if stored, err := os.ReadFile(path); err != nil || !bytes.Equal(stored, logo) {
		t.Errorf("stored logo differs from the upload (%v)", err)
	}

	// Removing the logo keeps the rest; a second save with empty fields
	// falls back to the defaults.
	if err := s.Save(ctx, &settings.Update{Publication: full, RemoveLogo: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Publication(ctx); got.Logo != "" || got.Name != full.Name {
		t.Errorf("after remove logo: logo %q, name %q", got.Logo, got.Name)
	}
	if err := s.Save(ctx, &settings.Update{Publication: settings.Publication{Credit: true}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Publication(ctx)
	wantDefaults := settings.Publication{Name: "Bulletin", PublicURL: "http://localhost:8080", Accent: templates.DefaultAccent,
		FromName: "Bulletin", FromAddress: "newsletter@localhost", Credit: true}
	if diff := cmp.Diff(wantDefaults, got, cmpopts.IgnoreFields(settings.Publication{}, "UpdatedAt")); diff != "" {
		t.Errorf("empty fields after a save (-want +got):\n%s", diff)
	}
}

// TestSettingsDefaults: with nothing stored, the environment's values and
// the built-in ones apply, and the From takes the publication's name.
func TestSettingsDefaults(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	s := settings.NewStore(db, t.TempDir(), settings.Defaults{PublicURL: "https://env.example", From: "Env Name <env@env.example>"})
	got, err := s.Publication(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := settings.Publication{Name: "Env Name", PublicURL: "https://env.example", Accent: templates.DefaultAccent,
		FromName: "Env Name", FromAddress: "env@env.example", Credit: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if err := s.Save(ctx, &settings.Update{Publication: settings.Publication{Name: "Quayside", Credit: true}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Publication(ctx)
	if got.From() != `"Quayside" <env@env.example>` {
		t.Errorf("From with a stored name only = %q, want the name on BULLETIN_FROM's address", got.From())
	}
}

// TestSettingsRefuseBadFields: each bad field gets an error under its
// form name that says what to fix, and nothing is stored.
func TestSettingsRefuseBadFields(t *testing.T) {
	ctx := context.Background()
	s, _, media := newStore(t)
	if err := s.Save(ctx, &settings.Update{Publication: full}); err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Publication(ctx)
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	big := append(pngLogo(t), make([]byte, settings.MaxLogoBytes)...)
	cases := []struct {
		field string
		edit  func(u *settings.Update)
		says  string
	}{
		{"name", func(u *settings.Update) { u.Name = strings.Repeat("n", 101) }, "100 characters"},
		{"name", func(u *settings.Update) { u.Name = "Two\nlines" }, "one line"},
		{"public_url", func(u *settings.Update) { u.PublicURL = "news.example" }, "https://"},
		{"public_url", func(u *settings.Update) { u.PublicURL = "ftp://news.example" }, "https://"},
		{"public_url", func(u *settings.Update) { u.PublicURL = "https://news.example/?a=1" }, "query"},
		{"public_url", func(u *settings.Update) { u.PublicURL = "https://user:pw@news.example" }, "password"},
		{"website_url", func(u *settings.Update) { u.WebsiteURL = "javascript:alert(1)" }, "https://"},
		{"accent", func(u *settings.Update) { u.Accent = "red" }, "#rrggbb"},
		{"accent", func(u *settings.Update) { u.Accent = "#12345g" }, "#rrggbb"},
		{"postal_address", func(u *settings.Update) { u.PostalAddress = strings.Repeat("line\n", 9) }, "8 lines"},
		{"postal_address", func(u *settings.Update) { u.PostalAddress = "1 Quay St\x07" }, "control"},
		{"from_name", func(u *settings.Update) { u.FromName = "Evil\r\nBcc: x@y.z" }, "one line"},
		{"from_address", func(u *settings.Update) { u.FromAddress = "not an address" }, "news@example.com"},
		{"from_address", func(u *settings.Update) { u.FromAddress = "Name <news@example.com>" }, "only the address"},
		{"from_address", func(u *settings.Update) { u.FromAddress = "jöran@example.com" }, "ASCII"},
		{"reply_to", func(u *settings.Update) { u.ReplyTo = "a@b.c, d@e.f" }, "one address"},
		{"logo", func(u *settings.Update) { u.Logo = svg }, "SVG"},
		{"logo", func(u *settings.Update) { u.Logo = []byte("GIF89a\x02\x00\x02\x00\x80 then nothing") }, "PNG, JPEG, GIF or WebP"},
		{"logo", func(u *settings.Update) { u.Logo = []byte("GIF89a\xff\xff\xff\xff\x80 a huge canvas") }, "4000 pixels"},
		{"logo", func(u *settings.Update) { u.Logo = []byte("plain text, not an image at all") }, "PNG, JPEG, GIF or WebP"},
		{"logo", func(u *settings.Update) { u.Logo = big }, "512 KiB"},
	}
	for _, tc := range cases {
		t.Run(tc.field+" "+tc.says, func(t *testing.T) {
			u := &settings.Update{Publication: settings.Publication{Name: "Changed", Accent: "#000000", Credit: true}}
			tc.edit(u)
			err := s.Save(ctx, u)
			if bulletin.ErrorCode(err) != bulletin.EINVALID {
				t.Fatalf("Save = %v, want a validation error", err)
			}
			fields := bulletin.ErrorFields(err)
			if why := fields[tc.field]; !strings.Contains(why, tc.says) {
				t.Errorf("error on %s = %q, want it to say %q (all: %v)", tc.field, why, tc.says, fields)
			}
			if len(fields) != 1 {
				t.Errorf("errors on %d fields, want 1: %v", len(fields), fields)
			}
			if got, _ := s.Publication(ctx); !cmp.Equal(stored, got) {
				t.Errorf("a refused save changed the settings (-before +after):\n%s", cmp.Diff(stored, got))
			}
			if entries, _ := os.ReadDir(media); len(entries) != 0 {
				t.Errorf("a refused save wrote %d files to the media folder", len(entries))
			}
		})
	}
}

// TestLogoTypesAreSniffed: PNG, JPEG, GIF and WebP are known by their
// bytes, whatever a browser called them, and stored under their hash with
// their own extension; names other than a stored logo's are not served.
func TestLogoTypesAreSniffed(t *testing.T) {
	ctx := context.Background()
	img := image.NewPaletted(image.Rect(0, 0, 3, 3), color.Palette{color.White, color.Black})
	var jb, gb bytes.Buffer
	if err := jpeg.Encode(&jb, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gb, img, nil); err != nil {
		t.Fatal(err)
	}
	// A WebP made with Chromium's canvas encoder (Go writes none).
	webp, err := os.ReadFile(filepath.Join("testdata", "logo-64x48.webp"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data       []byte
		ext, ctype string
	}{
		{pngLogo(t), ".png", "image/png"},
		{jb.Bytes(), ".jpg", "image/jpeg"},
		{gb.Bytes(), ".gif", "image/gif"},
		{webp, ".webp", "image/webp"},
	} {
		s, _, _ := newStore(t)
		if err := s.Save(ctx, &settings.Update{Publication: settings.Publication{Credit: true}, Logo: tc.data}); err != nil {
			t.Fatalf("%s logo: %v", tc.ext, err)
		}
		p, _ := s.Publication(ctx)
		if !strings.HasSuffix(p.Logo, tc.ext) {
			t.Errorf("logo file %q, want %s", p.Logo, tc.ext)
		}
		if _, ctype, ok := s.MediaFile(p.Logo); !ok || ctype != tc.ctype {
			t.Errorf("MediaFile(%q) type %q, %v; want %s", p.Logo, ctype, ok, tc.ctype)
		}
	}
	s, _, _ := newStore(t)
	for _, name := range []string{"", "../bulletin.db", "logo-0123456789abcdef.png", "logo-XYZ.png", "secret"} {
		if _, _, ok := s.MediaFile(name); ok {
			t.Errorf("MediaFile(%q) serves a file that was never stored", name)
		}
	}
}
