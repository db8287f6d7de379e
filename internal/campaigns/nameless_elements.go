package campaigns

import (
	"strings"

	"github.com/bulletinhq/bulletin/mailer"
)

// dropTags are the elements of sanitised HTML that go for a reader
// without a name when all they hold is bare names that reader does not
// read: left, they would be an empty paragraph, heading or list item, a
// list of those, an empty quote, or an empty <strong> in one.
var dropTags = func() map[string]bool {
	m := map[string]bool{"p": true, "li": true, "ul": true, "ol": true, "blockquote": true,
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}
	for t := range nameHolders {
		m[t] = true
	}
	return m
}()

// dropElements widens the fallbacks of bare names in html, as wrap left
// them, to the elements of dropTags that hold nothing else: such an
// element, with the line break after it, becomes one fallback whose side
// for readers without a name is empty, so that they read no empty
// paragraph and no blank line where it was. An element that holds only
// such elements goes too, and so on outwards. The text part leaves out
// the same blocks (bareNames.only).
func (n *bareNames) dropElements(html string) string {
	ifName, none := n.mk.Of(mailer.IfName), n.mk.Of(mailer.ElseName)+n.mk.Of(mailer.EndName)
	if !strings.Contains(html, none) {
		return html
	}
	for {
		out, changed := n.dropElement(html, ifName, none)
		if !changed {
			return out
		}
		html = out
	}
}

// dropElement widens the first fallback it can in html (see
// dropElements).
func (n *bareNames) dropElement(html, ifName, none string) (string, bool) {
	for at := 0; ; {
		i := strings.Index(html[at:], ifName)
		if i < 0 {
			return html, false
		}
		i += at
		at = i + len(ifName)
		open, tag := elementBefore(html, i)
		if open < 0 || !dropTags[tag] {
			continue
		}
		// The fallbacks from i, one after the other, each read by readers
		// with a name only.
		end := i
		for strings.HasPrefix(html[end:], ifName) {
			k := strings.Index(html[end+len(ifName):], n.mk.Of(mailer.ElseName))
			if k < 0 || !strings.HasPrefix(html[end+len(ifName)+k:], none) {
				break
			}
			end += len(ifName) + k + len(none)
		}
		if end == i {
			continue
		}
		if strings.HasPrefix(html[end:], "\n") {
			end++
		}
		if !strings.HasPrefix(html[end:], "</"+tag+">") {
			continue
		}
		end += len(tag) + 3
		if strings.HasPrefix(html[end:], "\n") {
			end++
		}
		inner := strings.NewReplacer(ifName, "", none, "").Replace(html[open:end])
		return html[:open] + ifName + inner + none + html[end:], true
	}
}

// elementBefore finds the start tag that ends right before html[i:], or
// before a line break there: its index and name, or -1.
func elementBefore(html string, i int) (int, string) {
	if i > 0 && html[i-1] == '\n' {
		i--
	}
	if i == 0 || html[i-1] != '>' {
		return -1, ""
	}
	open := strings.LastIndexByte(html[:i], '<')
	if open < 0 || strings.HasPrefix(html[open:], "</") {
		return -1, ""
	}
	return open, tagName(html[open:i])
}
