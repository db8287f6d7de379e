package campaigns

import (
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Markdown cannot say how big an image is, so every image of a body is
// shown as wide as the card, and a badge, a portrait or a signature is
// stretched and blurred. An editor gives one its size with an HTML tag,
// <img src="https://…" alt="…" width="120" height="40">. Markdown is
// rendered without its unsafe option, which leaves every tag out
// (render_elements.go), so htmlImages makes such a tag the image
// Markdown would have made, with its width and height, before the
// renderer sees it. It goes through the sanitiser and the check of its
// URL as any image does, and the text part shows it as any image.

// An htmlImages turns each raw HTML <img> of a parsed body, within a line
// or on a line of its own, into an image node. It runs before
// elementDropper, so an image written inside a refused element goes with
// that element's text, as a Markdown image there does.
type htmlImages struct{}

// Transform replaces the <img> tags of doc. They are found first and
// replaced after, as a walk is not told of nodes put in its way.
func (htmlImages) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var raw []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.RawHTML, *ast.HTMLBlock:
			if entering {
				raw = append(raw, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range raw {
		switch n := n.(type) {
		case *ast.RawHTML:
			s := segmentsText(n.Segments, src)
			if img := imageOf(s); img != nil {
				// The image stands where its tag did, so what is said of
				// it (Dropped, a refused address) names the tag's line.
				if n.Segments.Len() > 0 {
					img.SetPos(n.Segments.At(0).Start)
				}
				n.Parent().ReplaceChild(n.Parent(), n, img)
			}
		case *ast.HTMLBlock:
			// A tag alone on its line opens a block of HTML, up to the
			// next blank line: only a block that is that one tag becomes
			// a paragraph holding the image, or the bare text of a tight
			// list's item, as Markdown makes its items' paragraphs. One
			// with more in it goes whole, as any such block does, and
			// Dropped names it.
			s := segmentsText(n.Lines(), src)
			if img := imageOf(s); img != nil && !n.HasClosure() {
				var p ast.Node = ast.NewParagraph()
				if list, ok := n.Parent().Parent().(*ast.List); ok && list.IsTight {
					p = ast.NewTextBlock()
				}
				p.SetLines(n.Lines())
				img.SetPos(n.Lines().At(0).Start)
				p.AppendChild(p, img)
				n.Parent().ReplaceChild(n.Parent(), n, p)
			}
		}
	}
}

// imageOf is the image node of raw when raw is a single <img> tag with a
// src, else nil. Its alt is kept as written, entities resolved, and its
// title, width and height are kept for the sanitiser to judge; any other
// attribute is left out, as the sanitiser would leave it.
func imageOf(raw string) *ast.Image {
	z := html.NewTokenizer(strings.NewReader(strings.TrimSpace(raw)))
	switch z.Next() {
	case html.StartTagToken, html.SelfClosingTagToken:
	default:
		return nil
	}
	tag := z.Token()
	if tag.DataAtom != atom.Img {
		return nil
	}
	// The tag must be all of raw: the tokenizer's next step is its end.
	switch z.Next() {
	case html.ErrorToken:
		if z.Err() != io.EOF {
			return nil
		}
	default:
		return nil
	}
	attrs := map[string]string{}
	for _, a := range tag.Attr {
		// A browser takes the first of an attribute written twice.
		if _, seen := attrs[a.Key]; !seen {
			attrs[a.Key] = a.Val
		}
	}
	if attrs["src"] == "" {
		return nil
	}
	link := ast.NewLink()
	link.Destination = []byte(attrs["src"])
	if title, ok := attrs["title"]; ok {
		link.Title = []byte(title)
	}
	img := ast.NewImage(link)
	if alt := attrs["alt"]; alt != "" {
		// Raw, so neither part reads a backslash or an entity in it a
		// second time.
		s := ast.NewString([]byte(alt))
		s.SetRaw(true)
		img.AppendChild(img, s)
	}
	for _, name := range []string{"width", "height"} {
		if v, ok := attrs[name]; ok {
			img.SetAttributeString(name, []byte(v))
		}
	}
	return img
}

var (
	// imageTag matches an <img> of sanitised HTML, whose attribute values
	// are double-quoted with any ">" or quote in them escaped.
	imageTag = regexp.MustCompile(`<img( [^>]*)?>`)
	// imageSizeAttr matches the width or height attribute of such a tag.
	imageSizeAttr = regexp.MustCompile(` (width|height)="([^"]*)"`)
)

// sizeImages gives each image of sanitised html the size it is shown at
// and the inline CSS mail clients keep: a width attribute for Outlook on
// Windows, which ignores CSS widths and would show an image at its
// natural size, and a style that lets it shrink with a phone's screen.
// An image whose width is a number of pixels is that wide up to the card
// (contentWidth), its height, if given, scaled to match as a digest's
// images are (imageBox). Any other, a Markdown image or one given a
// percentage, is as wide as the card, with no height, which would squash
// it in Outlook. The tag's own width and height give way to these, so it
// has each once.
func sizeImages(s string) string {
	return imageTag.ReplaceAllStringFunc(s, func(tag string) string {
		var width, height int
		for _, m := range imageSizeAttr.FindAllStringSubmatch(tag, -1) {
			n, err := strconv.Atoi(m[2])
			if err != nil || n <= 0 {
				continue
			}
			if m[1] == "width" && width == 0 {
				width = n
			} else if m[1] == "height" && height == 0 {
				height = n
			}
		}
		rest := imageSizeAttr.ReplaceAllString(strings.TrimPrefix(tag, "<img"), "")
		if width == 0 {
			return `<img width="` + strconv.Itoa(contentWidth) + `" style="width:100%;max-width:` + strconv.Itoa(contentWidth) + `px;height:auto;border:0;"` + rest
		}
		w, h := imageBox(width, height)
		if height == 0 {
			w = min(width, contentWidth)
		}
		attrs := ` width="` + strconv.Itoa(w) + `"`
		if h > 0 {
			attrs += ` height="` + strconv.Itoa(h) + `"`
		}
		return `<img` + attrs + ` style="width:` + strconv.Itoa(w) + `px;max-width:100%;height:auto;border:0;"` + rest
	})
}
