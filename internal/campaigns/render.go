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

// placeholders maps each personal field to the mailer's placeholder.
var placeholders = map[string]string{
	"Name":  mailer.FieldName,
	"Email": mailer.FieldEmail,
}

var (
	markdown  = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer))
	sanitizer = bluemonday.UGCPolicy()
)

// checkFields refuses personal fields other than {{ .Name }} and
// {{ .Email }}, so a typo shows at once rather than in every reader's mail.
func checkFields(body string) error {
	for _, m := range personalField.FindAllStringSubmatch(body, -1) {
		if _, ok := placeholders[m[1]]; !ok {
			return fmt.Errorf("has %s: the personal fields are {{ .Name }} and {{ .Email }}", m[0])
		}
	}
	return nil
}

// Render turns a Markdown body into sanitised HTML and plain text, once per
// campaign. The personal fields become the mailer's placeholders, which
// Markdown and the sanitiser leave as they are; each recipient's values
// are filled in when the message is composed.
func Render(body string) (html, text string, err error) {
	if err := checkFields(body); err != nil {
		return "", "", err
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = personalField.ReplaceAllStringFunc(body, func(s string) string {
		return placeholders[personalField.FindStringSubmatch(s)[1]]
	})
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		return "", "", fmt.Errorf("render markdown: %w", err)
	}
	return sanitizer.Sanitize(buf.String()), strings.TrimSpace(body) + "\n", nil
}
