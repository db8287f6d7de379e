package campaigns

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/bulletinhq/bulletin/mailer"
)

// personalField matches a {{ .Name }}-style personal field in a body.
var personalField = regexp.MustCompile(`\{\{\s*\.?\s*([A-Za-z]*)\s*\}\}`)

// personalFields maps each personal field an author may write to the
// mailer's field.
var personalFields = map[string]mailer.Field{
	"Name":  mailer.Name,
	"Email": mailer.Email,
}

var (
	markdown  = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer))
	sanitizer = bluemonday.UGCPolicy()
)

// checkFields refuses personal fields other than {{ .Name }} and
// {{ .Email }}, so a typo shows at once rather than in every reader's mail.
func checkFields(body string) error {
	for _, m := range personalField.FindAllStringSubmatch(body, -1) {
		if _, ok := personalFields[m[1]]; !ok {
			return fmt.Errorf("has %s: the personal fields are {{ .Name }} and {{ .Email }}", m[0])
		}
	}
	return nil
}

// Render turns a Markdown body into sanitised HTML and plain text, once per
// send. The personal fields the author wrote become markers of mk, which
// Markdown and the sanitiser leave as they are, and each recipient's
// values are filled in when the message is composed: as text, or as URL
// data where a field stands in a link's URL. mk is drawn for the render,
// so marker text anywhere else in the body is only text.
func Render(body string, mk mailer.Markers) (html, text string, err error) {
	if err := checkFields(body); err != nil {
		return "", "", err
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = personalField.ReplaceAllStringFunc(body, func(s string) string {
		return mk.Of(personalFields[personalField.FindStringSubmatch(s)[1]])
	})
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		return "", "", fmt.Errorf("render markdown: %w", err)
	}
	html = mk.InURLs(sanitizer.Sanitize(buf.String()))
	return inlineStyles.Replace(html), markdownText([]byte(body), mk), nil
}

// RenderFor renders body as p sees it, outside a message: for previews
// and the archive.
func RenderFor(body string, p mailer.Personal) (html, text string, err error) {
	mk := mailer.NewMarkers()
	html, text, err = Render(body, mk)
	if err != nil {
		return "", "", err
	}
	return mk.Fill(html, p, true), mk.Fill(text, p, false), nil
}

// inlineStyles gives the elements Markdown makes the inline CSS mail
// clients keep (Gmail drops much of a <style> block, Outlook reads little
// else): spacing, sizes, borders. It sets no colours, so the mail's dark
// mode and the archive's pages keep theirs. The sanitiser's output is
// regular, so its opening tags can be matched as text; "<" in text is
// escaped.
var inlineStyles = func() *strings.Replacer {
	const block = "margin:0 0 16px;"
	styles := []struct{ tag, css string }{
		{"p", block},
		{"h1", "margin:24px 0 12px;font-size:26px;line-height:32px;"},
		{"h2", "margin:24px 0 12px;font-size:21px;line-height:28px;"},
		{"h3", "margin:20px 0 8px;font-size:18px;line-height:26px;"},
		{"h4", "margin:16px 0 8px;font-size:16px;line-height:24px;"},
		{"ul", block + "padding:0 0 0 24px;"},
		{"ol", block + "padding:0 0 0 24px;"},
		{"li", "margin:0 0 6px;"},
		{"blockquote", block + "padding:0 0 0 14px;border-left:3px solid #d1d5db;"},
		{"pre", block + "padding:12px;border:1px solid #d1d5db;border-radius:4px;overflow:auto;white-space:pre-wrap;"},
		{"code", "font-family:Menlo,Consolas,'Courier New',monospace;font-size:14px;"},
		{"hr", "margin:24px 0;border:0;border-top:1px solid #d1d5db;"},
		{"table", block + "border-collapse:collapse;"},
		{"th", "padding:6px 10px;border:1px solid #d1d5db;text-align:left;"},
		{"td", "padding:6px 10px;border:1px solid #d1d5db;"},
		{"a", "text-decoration:underline;"},
		{"img", "max-width:100%;height:auto;border:0;"},
	}
	var pairs []string
	for _, s := range styles {
		attr := ` style="` + s.css + `"`
		pairs = append(pairs, "<"+s.tag+">", "<"+s.tag+attr+">", "<"+s.tag+" ", "<"+s.tag+attr+" ")
	}
	return strings.NewReplacer(pairs...)
}()
