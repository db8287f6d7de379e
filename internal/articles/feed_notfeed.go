package articles

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// notAFeed says why body, the answer resp brought, did not parse as a
// feed, in words the admin can act on. A web page is named as one, with
// the feed it links to when it links to one (a site's home page names its
// feed in a <link rel="alternate">): giving the site's address instead of
// its feed's is the usual slip. XML that breaks off is "the feed does not
// parse", with the parser's words.
func notAFeed(err error, body []byte, resp *http.Response) error {
	if !errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return fmt.Errorf("the feed does not parse: %w", err)
	}
	if !isHTML(body, resp.Header.Get("Content-Type")) {
		return errors.New("the answer is not an RSS or Atom feed: check the feed's URL")
	}
	if link := feedLink(body, resp.Request.URL); link != "" {
		return fmt.Errorf("the URL is a web page, not a feed; the page names its feed: add %s instead", link)
	}
	return errors.New("the URL is a web page, not an RSS or Atom feed: add the address of the site's feed (often linked as RSS, ending in /feed or .xml)")
}

// isHTML reports whether a body of the media type contentType is an HTML
// page: served as one, or starting as one.
func isHTML(body []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	start := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n"))
	return bytes.HasPrefix(start, []byte("<!doctype html")) || bytes.HasPrefix(start, []byte("<html"))
}

// feedLink is the URL of the first RSS or Atom feed the page body names in
// a <link rel="alternate">, read against base; "" when it names none that
// is http or https.
func feedLink(body []byte, base *url.URL) string {
	z := xhtml.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return ""
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, more := z.TagName()
			if atom.Lookup(name) == atom.Body {
				return "" // a page names its feeds in its head
			}
			if atom.Lookup(name) != atom.Link || !more {
				continue
			}
			attrs := map[string]string{}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			if u := alternateFeed(attrs, base); u != "" {
				return u
			}
		}
	}
}

// alternateFeed is the URL of the <link> whose attributes are attrs when
// it names an RSS or Atom feed, read against base; else "".
func alternateFeed(attrs map[string]string, base *url.URL) string {
	rels := strings.Fields(strings.ToLower(attrs["rel"]))
	typ := strings.ToLower(strings.TrimSpace(attrs["type"]))
	if !slices.Contains(rels, "alternate") || (typ != "application/rss+xml" && typ != "application/atom+xml") {
		return ""
	}
	ref, err := url.Parse(strings.TrimSpace(attrs["href"]))
	if err != nil || attrs["href"] == "" {
		return ""
	}
	u := base.ResolveReference(ref)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(u.String()) > 2000 {
		return ""
	}
	return u.String()
}
