package campaigns

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/subscribers"
)

// bodyFaults is every reason a body being saved is refused, by line:
// each {{ … }} that is no personal field, each element mail cannot show
// (elementFaults), each link and image that is not a full URL
// (checkLinks) and each image whose address is not a web one
// (imageFaults). The check stopped at the first kind it found, and an editor
// whose body held all three learnt of them one save at a time. The links
// are checked with each faulty {{ … }} taken out, since the body does not
// render with it; that keeps every line where it was. A fault that is
// only a new body's (subscribers.NewTextOnly) is left out when the body
// is the one stored: it sends as it is. Of each kind the first maxFaults
// are named, and the rest counted.
func bodyFaults(body, stored string) []error {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if faults := shapeFaults(body); len(faults) > 0 {
		return faults // the other checks parse it, which takes too long
	}
	unchanged := body == strings.ReplaceAll(stored, "\r\n", "\n")
	_, bad := scanFields(body)
	faults := namedFaults(len(bad), func(i int) error {
		if i == 0 {
			return bad[i].err
		}
		// The help on writing a field is said once, with the first.
		return errors.New(strings.TrimSuffix(bad[i].err.Error(), " ("+fieldSyntax+")"))
	}, func(more int) error {
		return errors.New("and " + prose.Count(more, "more {{ … }} that is not a personal field", "more {{ … }} that are not personal fields"))
	})
	rest, at := strings.Builder{}, 0
	for _, f := range bad {
		rest.WriteString(body[at:f.start])
		at = f.end
	}
	rest.WriteString(body[at:])
	faults = append(faults, elementFaults(body)...)
	faults = append(faults, renderFaults(rest.String())...)
	faults = append(faults, imageFaults(rest.String())...)
	faults = slices.DeleteFunc(faults, func(err error) bool { return unchanged && subscribers.IsNewTextOnly(err) })
	slices.SortStableFunc(faults, func(a, b error) int { return cmp.Compare(faultLine(a), faultLine(b)) })
	return faults
}

// faultAt matches the line a fault's message starts with.
var faultAt = regexp.MustCompile(`^line (\d+): `)

// faultLine is the line err's message names first, or a line past every
// body's for one that names none, which goes last.
func faultLine(err error) int {
	m := faultAt.FindStringSubmatch(err.Error())
	if m == nil {
		return int(^uint(0) >> 1)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// joinFaults is the body field's reason for faults: one a line, so the
// form and the API's fields.body (one string, as before) say them all.
func joinFaults(faults []error) string {
	lines := make([]string, len(faults))
	for i, err := range faults {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// imageFaults refuses each image of body whose address is not one a mail
// can show an image from: the sanitiser leaves out a javascript:, data:
// or ftp: one, or one it cannot read, and no mail program loads one from
// mailto:. Dropped only named it afterwards, among what the mail leaves
// out, and the editor learnt of it from a preview without the image.
// Each is named by its line and its place among the body's images
// (several may share a line, and one may have no alt text to know it
// by), with the scheme it was written with. A relative address, which
// the sanitiser keeps, is checkLinks' to refuse, in its own words. The
// advice is said once, with the first, and the first maxFaults are
// named, the rest counted.
func imageFaults(body string) []error {
	src := []byte(maskFields(body))
	d := &dropFinder{src: src}
	type badImage struct {
		img  *ast.Image
		n    int    // its place among the body's images, from 1
		what string // badImageAddress's
	}
	var bad []badImage
	n := 0
	_ = ast.Walk(markdown.Parser().Parse(text.NewReader(src)), func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := node.(*ast.Image)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		n++
		if what := badImageAddress(img, src); what != "" {
			bad = append(bad, badImage{img, n, what})
		}
		// An image within an image's alt text is only text.
		return ast.WalkSkipChildren, nil
	})
	return namedFaults(len(bad), func(i int) error {
		b := bad[i]
		msg := fmt.Sprintf("line %d: image %d%s", d.lineOf(b.img), b.n, b.what)
		if i == 0 {
			msg += ": a mail shows only images from the web; write the image's web address, starting with https://"
		}
		return &linkError{msg}
	}, func(more int) error {
		return &linkError{"and " + prose.Count(more, "more image", "more images") + " whose address is not a web address"}
	})
}

// badImageAddress says what is wrong with the address of img, an image
// of src, as the mail has it: rendered and sanitised as Render does. It
// says nothing of a web address, nor of a relative one the sanitiser
// keeps.
func badImageAddress(img *ast.Image, src []byte) string {
	dest := strings.TrimSpace(string(img.Destination))
	if u, err := url.Parse(dest); err == nil && (u.Scheme == "https" || u.Scheme == "http") && !strings.ContainsAny(dest, " \t\n") {
		// The most images by far, which the sanitiser keeps: rendering
		// and sanitising each of a body of many cost more than the
		// rest of the checks together.
		return ""
	}
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, src, img); err != nil {
		return ""
	}
	if kept, ok := imageSrc(sanitizer.Sanitize(buf.String())); ok && kept != "" {
		u, err := url.Parse(kept)
		if err != nil || u.Scheme == "" || strings.EqualFold(u.Scheme, "https") || strings.EqualFold(u.Scheme, "http") {
			return ""
		}
	}
	if dest == "" {
		return " has no address"
	}
	if u, err := url.Parse(dest); err == nil && u.Scheme != "" {
		return fmt.Sprintf("'s address starts with %q", dest[:len(u.Scheme)+1])
	}
	return "'s address is not a web address"
}

// imageSrc is the src of the first <img> of html, and whether it has one.
func imageSrc(s string) (string, bool) {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", false
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		name, more := z.TagName()
		if string(name) != "img" {
			continue
		}
		for more {
			var key, val []byte
			key, val, more = z.TagAttr()
			if string(key) == "src" {
				return string(val), true
			}
		}
		return "", false
	}
}
