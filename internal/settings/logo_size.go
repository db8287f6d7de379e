package settings

import (
	"bufio"
	"errors"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// logoSize is the size of the logo of the media folder called name, read
// from its file's header, so that logos stored before sizes were known
// have theirs too; zero without a logo, or when the file cannot be read
// (logged: mail then shows the logo by its height only).
func (s *Store) logoSize(name string) image.Point {
	if name == "" {
		return image.Point{}
	}
	size, err := s.readLogoSize(name)
	if err != nil {
		log := s.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("the logo's file cannot be read, so mail shows the logo without its width; upload it again at /admin/settings",
			"logo", name, "err", err)
	}
	return size
}

// readLogoSize reads the width and height in the header of the logo file
// called name.
func (s *Store) readLogoSize(name string) (image.Point, error) {
	if !logoName.MatchString(name) {
		return image.Point{}, errors.New("not the name of an uploaded logo")
	}
	f, err := os.Open(filepath.Join(s.media, name))
	if err != nil {
		return image.Point{}, err
	}
	defer f.Close()
	// The formats sniffLogo takes are registered with image by their
	// packages' imports: png, jpeg, gif and x/image's webp.
	c, _, err := image.DecodeConfig(bufio.NewReader(io.LimitReader(f, MaxLogoBytes)))
	if err != nil {
		return image.Point{}, err
	}
	if c.Width <= 0 || c.Height <= 0 {
		return image.Point{}, errLogoSize
	}
	return image.Pt(c.Width, c.Height), nil
}
