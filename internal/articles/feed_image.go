package articles

import (
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// itemImage picks a feed item's image and its alt text: a media:content
// image first (the full picture), then an image enclosure, then a
// media:thumbnail, also inside a media:group. Only an https URL is taken,
// as mail programs block images over http; the picture in the item's
// text is never taken (it may be a tracking pixel). Bulletin stores the
// URL and never fetches it.
func itemImage(it *gofeed.Item) (url, alt string) {
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
				return c.Attrs["url"], mediaText(c, "description")
			}
		}
	}
	for _, enc := range it.Enclosures {
		if enc != nil && strings.HasPrefix(enc.Type, "image/") && httpsURL(enc.URL) {
			return enc.URL, ""
		}
	}
	for _, g := range groups {
		for _, th := range g["thumbnail"] {
			if httpsURL(th.Attrs["url"]) {
				return th.Attrs["url"], ""
			}
		}
	}
	return "", ""
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
