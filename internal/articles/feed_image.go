package articles

import (
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// itemImage picks a feed item's image, its alt text and its size in
// pixels: a media:content image first (the full picture), then an image
// enclosure, then a media:thumbnail, also inside a media:group. Only an
// https URL is taken, as mail programs block images over http; the
// picture in the item's text is never taken (it may be a tracking pixel).
// Bulletin stores the URL and never fetches it, so the size is the one
// the chosen element gives, or 0 by 0 (unknown): an enclosure gives none.
func itemImage(it *gofeed.Item) (url, alt string, width, height int) {
	media := it.Extensions["media"]
	var groups []map[string][]ext.Extension
	if media != nil {
		groups = append(groups, media)
		for _, g := range media["group"] {
			groups = append(groups, g.Children)
		}
	}
	for _, g := range groups {
		for _, c := range g["content"] {
			if (strings.HasPrefix(c.Attrs["type"], "image/") || c.Attrs["medium"] == "image") && httpsURL(c.Attrs["url"]) {
				width, height := mediaSize(c)
				return c.Attrs["url"], mediaText(c, "description"), width, height
			}
		}
	}
	for _, enc := range it.Enclosures {
		if enc != nil && strings.HasPrefix(enc.Type, "image/") && httpsURL(enc.URL) {
			return enc.URL, "", 0, 0
		}
	}
	for _, g := range groups {
		for _, th := range g["thumbnail"] {
			if httpsURL(th.Attrs["url"]) {
				width, height := mediaSize(th)
				return th.Attrs["url"], "", width, height
			}
		}
	}
	return "", "", 0, 0
}

// mediaSize is the width and height a media element's attributes give,
// when both are whole numbers from 1 to MaxImageSide; else 0 by 0, as
// one side alone cannot keep the image's shape.
func mediaSize(e ext.Extension) (width, height int) {
	w, werr := strconv.Atoi(strings.TrimSpace(e.Attrs["width"]))
	h, herr := strconv.Atoi(strings.TrimSpace(e.Attrs["height"]))
	if werr != nil || herr != nil || w < 1 || h < 1 || w > MaxImageSide || h > MaxImageSide {
		return 0, 0
	}
	return w, h
}

// mediaText is the plain text of a media element's child name: markup
// only when its type says html (Media RSS's default is plain), or when it
// holds real HTML tags, so an alt text like "Vec<T>" keeps its brackets.
func mediaText(e ext.Extension, name string) string {
	for _, c := range e.Children[name] {
		kind := textGuess
		if c.Attrs["type"] == "html" {
			kind = textHTML
		}
		if s := clipRunes(feedText(c.Value, kind), 500); s != "" {
			return s
		}
	}
	return ""
}
