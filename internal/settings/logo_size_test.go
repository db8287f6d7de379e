package settings_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/templates"
)

// pngOf is a real PNG of width by height pixels.
func pngOf(t *testing.T, width, height int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, width, height))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gifOf is a real GIF of width by height pixels.
func gifOf(t *testing.T, width, height int) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, width, height), color.Palette{color.Black, color.White})
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpFile is a WebP logo of testdata: made for these tests with
// Chromium's canvas encoder (extended files, VP8X, of one colour), as
// neither Go nor x/image writes WebP.
func webpFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sizedLogos are logos of each type, the size their file has, and the
// size the masthead shows them at: 48 high, or 240 wide when that is
// narrower, rounded, at least 1.
func sizedLogos(t *testing.T) []struct {
	name          string
	logo          []byte
	size          image.Point
	width, height int
} {
	return []struct {
		name          string
		logo          []byte
		size          image.Point
		width, height int
	}{
		{"wide", pngOf(t, 600, 100), image.Pt(600, 100), 240, 40},
		{"square", pngOf(t, 96, 96), image.Pt(96, 96), 48, 48},
		{"normal", pngOf(t, 200, 80), image.Pt(200, 80), 120, 48},
		{"small", pngOf(t, 10, 4), image.Pt(10, 4), 120, 48},
		{"five to one", pngOf(t, 250, 50), image.Pt(250, 50), 240, 48},
		{"tall", pngOf(t, 30, 300), image.Pt(30, 300), 5, 48},
		{"needle", pngOf(t, 1, 4000), image.Pt(1, 4000), 1, 48},
		{"sliver", pngOf(t, 4000, 1), image.Pt(4000, 1), 240, 1},
		{"round down", pngOf(t, 700, 99), image.Pt(700, 99), 240, 34},
		{"gif", gifOf(t, 300, 20), image.Pt(300, 20), 240, 16},
		{"webp wide", webpFile(t, "logo-960x160.webp"), image.Pt(960, 160), 240, 40},
		{"webp small", webpFile(t, "logo-64x48.webp"), image.Pt(64, 48), 64, 48},
		{"webp", webpFile(t, "logo-120x60.webp"), image.Pt(120, 60), 96, 48},
	}
}

var imgTag = regexp.MustCompile(`<img [^>]*>`)

// masthead is the logo's <img> tag in a mail rendered with the real
// templates and b.
func masthead(t *testing.T, b templates.Brand) string {
	t.Helper()
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	_, html, err := tmpl.Mail("test", struct {
		Brand   templates.Brand
		Message string
	}{b, "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	return imgTag.FindString(html)
}

// TestMastheadLogoHasWidthAndHeight: the size of an uploaded logo is read
// from its file, by the store that saved it and by another on the same
// files (serve restarted, or a command), and the masthead of mail shows
// it 48 pixels high, or 240 wide when that is narrower, its shape kept,
// with both as attributes (Outlook on Windows reads no CSS size) and in
// its style.
func TestMastheadLogoHasWidthAndHeight(t *testing.T) {
	ctx := context.Background()
	for _, tc := range sizedLogos(t) {
		t.Run(tc.name, func(t *testing.T) {
			s, db, media := newStore(t)
			if err := s.Save(ctx, &settings.Update{Publication: full, Logo: tc.logo}); err != nil {
				t.Fatal(err)
			}
			for i, st := range []*settings.Store{s, settings.NewStore(db, media, defaults)} {
				p, err := st.Publication(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if p.LogoSize != tc.size {
					t.Errorf("store %d: logo size %v, want %v", i, p.LogoSize, tc.size)
				}
				b := p.Brand()
				if b.LogoWidth != tc.width || b.LogoHeight != tc.height {
					t.Errorf("store %d: brand's logo %dx%d, want %dx%d", i, b.LogoWidth, b.LogoHeight, tc.width, tc.height)
				}
				want := fmt.Sprintf(`<img src="https://news.example/media/%s" alt="Harbour Gazette" width="%d" height="%d" `+
					`style="display:block;width:%[2]dpx;height:%[3]dpx;border:0;">`, p.Logo, tc.width, tc.height)
				if got := masthead(t, b); got != want {
					t.Errorf("store %d: masthead\n got %s\nwant %s", i, got, want)
				}
			}
			// The form shows what was saved: the size is read, not saved.
			if p, _ := s.Stored(ctx); p.LogoSize != (image.Point{}) || p.Logo == "" {
				t.Errorf("Stored: logo %q of size %v, want the saved logo and no size", p.Logo, p.LogoSize)
			}
		})
	}
}

// fallback is the masthead's logo of unknown size: as before sizes were
// read, 48 pixels high.
const fallback = `height="48" style="display:block;height:48px;width:auto;max-width:240px;border:0;">`

// TestLogoUploadedBeforeSizesGetsItsSize: an install whose logo was
// uploaded before sizes were read (its file in the media folder, its name
// in the row, nothing else) shows it with its width and height.
func TestLogoUploadedBeforeSizesGetsItsSize(t *testing.T) {
	ctx := context.Background()
	s, db, media := newStore(t)
	if err := s.Save(ctx, &settings.Update{Publication: full}); err != nil {
		t.Fatal(err)
	}
	const name = "logo-0123456789abcdef.png"
	if err := os.MkdirAll(media, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(media, name), pngOf(t, 200, 80), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE settings SET logo = ? WHERE id = 1`, name); err != nil {
		t.Fatal(err)
	}
	p, err := settings.NewStore(db, media, defaults).Publication(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := `<img src="https://news.example/media/` + name + `" alt="Harbour Gazette" width="120" height="48" ` +
		`style="display:block;width:120px;height:48px;border:0;">`
	if got := masthead(t, p.Brand()); got != want {
		t.Errorf("masthead\n got %s\nwant %s", got, want)
	}
}

// TestLogoFileUnreadable: a logo whose file is missing, or is no image,
// is shown as before sizes were read, 48 pixels high with no width, and
// a warning names the file; nothing panics.
func TestLogoFileUnreadable(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		spoil func(path string) error
	}{
		{"missing", os.Remove},
		{"not an image", func(path string) error { return os.WriteFile(path, []byte("not a PNG any more"), 0o644) }},
		{"cut short", func(path string) error { return os.Truncate(path, 20) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db, media := newStore(t)
			if err := s.Save(ctx, &settings.Update{Publication: full, Logo: pngOf(t, 200, 80)}); err != nil {
				t.Fatal(err)
			}
			saved, _ := s.Stored(ctx)
			if err := tc.spoil(filepath.Join(media, saved.Logo)); err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			st := settings.NewStore(db, media, defaults)
			st.Log = slog.New(slog.NewTextHandler(&log, nil))
			p, err := st.Publication(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p.Logo != saved.Logo || p.LogoSize != (image.Point{}) {
				t.Errorf("logo %q of size %v, want %q of no size", p.Logo, p.LogoSize, saved.Logo)
			}
			want := `<img src="https://news.example/media/` + saved.Logo + `" alt="Harbour Gazette" ` + fallback
			if got := masthead(t, p.Brand()); got != want {
				t.Errorf("masthead\n got %s\nwant %s", got, want)
			}
			if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), saved.Logo) {
				t.Errorf("log = %q, want a warning naming the file", log.String())
			}
		})
	}
}

// TestLogoSizeIsReadOncePerLoad: the size is read with the settings and
// kept with them, not read again for each mail; a save reads it again.
func TestLogoSizeIsReadOncePerLoad(t *testing.T) {
	ctx := context.Background()
	s, _, media := newStore(t)
	if err := s.Save(ctx, &settings.Update{Publication: full, Logo: pngOf(t, 600, 100)}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.Publication(ctx)
	if err := os.Remove(filepath.Join(media, first.Logo)); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Publication(ctx); p.LogoSize != image.Pt(600, 100) {
		t.Errorf("second read: logo size %v, want 600x100 as read first", p.LogoSize)
	}
	s.Log = slog.New(slog.DiscardHandler)
	if err := s.Save(ctx, &settings.Update{Publication: full}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Publication(ctx); p.Logo != first.Logo || p.LogoSize != (image.Point{}) {
		t.Errorf("after a save: logo %q of size %v, want %q read again and found gone", p.Logo, p.LogoSize, first.Logo)
	}
}

// A WebP upload is read whole, as the other types are: one whose header
// says an image but whose data does not hold one is refused, and nothing
// is stored.
func TestBrokenWebPLogoRefused(t *testing.T) {
	ctx := context.Background()
	s, _, media := newStore(t)
	whole := webpFile(t, "logo-120x60.webp")
	for _, b := range [][]byte{whole[:48], append(whole[:len(whole)-40:len(whole)-40], bytes.Repeat([]byte{0xff}, 40)...)} {
		err := s.Save(ctx, &settings.Update{Publication: settings.Publication{Credit: true}, Logo: b})
		if got := bulletin.ErrorFields(err)["logo"]; !strings.Contains(got, "does not read as one") {
			t.Errorf("a broken WebP of %d bytes: %v (logo: %q), want it refused as not an image", len(b), err, got)
		}
	}
	if entries, _ := os.ReadDir(media); len(entries) != 0 {
		t.Errorf("%d files stored in the media folder, want none", len(entries))
	}
}
