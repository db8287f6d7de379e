package campaigns

import (
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/mailer"
)

// Preview renders body as an editor should see it before sending: the
// sanitised HTML, with sample values where each reader's own will go. A bad
// personal field is a validation error on the body.
func Preview(body, name, email string) (string, error) {
	if err := checkFields(body); err != nil {
		return "", bulletin.Invalid(map[string]string{"body": err.Error()})
	}
	html, _, err := RenderFor(body, mailer.Personal{Name: name, Email: email})
	return html, err
}
