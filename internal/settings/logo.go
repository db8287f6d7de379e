package settings

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/image/webp"
)

// MaxLogoBytes bounds a logo upload: a masthead image, not a photo.
const MaxLogoBytes = 512 << 10

// logoTypes are the image types a logo may have, by file extension.
var logoTypes = map[string]string{
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
}

// logoName matches the file names writeLogo gives: the first 16 hex
// digits of the SHA-256 of the bytes, so a name never serves other bytes.
var logoName = regexp.MustCompile(`^logo-[0-9a-f]{16}\.(png|jpg|gif|webp)$`)

const notAnImage = "upload a PNG, JPEG, GIF or WebP image: this file is none of them"

// sniffLogo tells a logo's type from its bytes, whatever name or type the
// browser gave it, and returns its extension, or why it is refused. SVG
// is refused: it can carry scripts, and many mail programs do not show
// it.
func sniffLogo(b []byte) (ext, why string) {
	if len(b) > MaxLogoBytes {
		return "", fmt.Sprintf("the file is %d KiB: use a logo of at most %d KiB (a PNG a few hundred pixels wide is plenty)",
			(len(b)+1023)>>10, MaxLogoBytes>>10)
	}
	var decode func([]byte) error
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		ext, decode = ".png", config(png.DecodeConfig, png.Decode)
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		ext, decode = ".jpg", config(jpeg.DecodeConfig, jpeg.Decode)
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		ext, decode = ".gif", config(gif.DecodeConfig, gif.Decode)
	case isWebP(b):
		ext, decode = ".webp", config(webp.DecodeConfig, webp.Decode)
	case looksLikeSVG(b):
		return "", "SVG logos are refused (they can carry scripts, and many mail programs do not show them): upload a PNG, JPEG, GIF or WebP"
	default:
		return "", notAnImage
	}
	if err := decode(b); err == errLogoSize {
		return "", fmt.Sprintf("use an image from 1 to %d pixels wide and high", MaxLogoSide)
	} else if err != nil {
		return "", notAnImage + " (it starts like one, but does not read as one)"
	}
	return ext, ""
}

// config turns an image package's DecodeConfig and Decode into a check
// of b: a real image of sensible size, read whole only once its header
// says it fits in memory.
func config(cfg func(io.Reader) (image.Config, error), dec func(io.Reader) (image.Image, error)) func([]byte) error {
	return func(b []byte) error {
		c, err := cfg(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if c.Width == 0 || c.Height == 0 || c.Width > MaxLogoSide || c.Height > MaxLogoSide {
			return errLogoSize
		}
		_, err = dec(bytes.NewReader(b))
		return err
	}
}

// MaxLogoSide bounds a logo's width and height in pixels.
const MaxLogoSide = 4000

var errLogoSize = fmt.Errorf("logo size")

// looksLikeSVG reports whether b starts like an SVG document.
func looksLikeSVG(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 1024)]))
	return strings.Contains(head, "<svg") || strings.HasPrefix(strings.TrimSpace(head), "<?xml")
}

// writeLogo stores b in the media folder under its hash and returns the
// file name. A file of that name holds those bytes already.
func (s *Store) writeLogo(b []byte, ext string) (string, error) {
	sum := sha256.Sum256(b)
	name := "logo-" + hex.EncodeToString(sum[:])[:16] + ext
	path := filepath.Join(s.media, name)
	if _, err := os.Stat(path); err == nil {
		return name, nil
	}
	if err := os.MkdirAll(s.media, 0o755); err != nil {
		return "", fmt.Errorf("media folder: %w", err)
	}
	f, err := os.CreateTemp(s.media, ".upload-*")
	if err != nil {
		return "", fmt.Errorf("store logo: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return "", fmt.Errorf("store logo: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("store logo: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("store logo: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return "", fmt.Errorf("store logo: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("store logo: %w", err)
	}
	return name, nil
}

// MediaFile returns the path and content type of a file of the media
// folder that a logo upload stored, by its name, with ok false for any
// other name. Logos replaced or removed stay served: mail already sent
// shows them.
func (s *Store) MediaFile(name string) (path, contentType string, ok bool) {
	if !logoName.MatchString(name) {
		return "", "", false
	}
	path = filepath.Join(s.media, name)
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return "", "", false
	}
	return path, logoTypes[filepath.Ext(name)], true
}

// isWebP reports whether b starts like a WebP file.
func isWebP(b []byte) bool {
	return len(b) >= 16 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" && strings.HasPrefix(string(b[12:16]), "VP8")
}
