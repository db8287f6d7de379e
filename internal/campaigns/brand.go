package campaigns

import (
	"context"
	"net/mail"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/templates"
)

// A Publisher tells the publication's settings in force: its name and
// brand, public URL, From and Reply-To (*settings.Store).
type Publisher interface {
	Publication(ctx context.Context) (settings.Publication, error)
}

var _ Publisher = (*settings.Store)(nil)

// publication is what the mails built now show of the publication: the
// settings, or, without them (or when they cannot be read, which is
// logged), BaseURL, From and the default brand. Mails are rendered here,
// on the serve side, so a send worker gets the brand inside the rendered
// parts of its task and never needs the settings.
func (s *Service) publication(ctx context.Context) settings.Publication {
	if s.Settings != nil {
		p, err := s.Settings.Publication(ctx)
		if err == nil {
			return p
		}
		s.log().Error("read the publication settings; mail goes out with the environment's", "err", err)
	}
	b := templates.DefaultBrand()
	p := settings.Publication{Name: b.Name, PublicURL: s.BaseURL, Accent: b.Accent, Credit: b.Credit}
	if a, err := mail.ParseAddress(s.From); err == nil {
		p.FromName, p.FromAddress = a.Name, a.Address
		if a.Name != "" {
			p.Name = a.Name
		}
	}
	return p
}
