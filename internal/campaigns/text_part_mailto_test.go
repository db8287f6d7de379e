package campaigns_test

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// sentTo sends a campaign of body to the golden reader of list (slug
// "harbour", named name) as serve does, and returns the mail read back.
func sentTo(t *testing.T, name, body string, setup func(*goldenEnv)) *mailtest.Mail {
	t.Helper()
	e := newGoldenEnv(t, "harbour", name, "off")
	if setup != nil {
		setup(e)
	}
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Harbour notes", Lists: []string{"harbour"}, Body: body})
	return mailtest.Parse(t, e.send(t))
}

// A link to mailto: reads in the text part as its text and the address it
// writes to, which a reader copies into their mail program: "the desk
// (desk@harbour.example)", not "(mailto:desk@harbour.example)". The HTML
// part links to the mailto: URL as written.
func TestTextPartShowsAMailtoLinksAddress(t *testing.T) {
	pm := sentTo(t, "Harbour Notes", "Questions? Write to [the desk](mailto:desk@harbour.example?subject=Ferries).", nil)
	if want := "Questions? Write to the desk (desk@harbour.example).\n"; !strings.Contains(pm.Text, want) {
		t.Errorf("text part lacks %q:\n%s", want, pm.Text)
	}
	if strings.Contains(pm.Text, "mailto:") {
		t.Errorf("text part shows a mailto: URL:\n%s", pm.Text)
	}
	if want := `href="mailto:desk@harbour.example?subject=Ferries"`; !strings.Contains(pm.HTML, want) {
		t.Errorf("HTML part lacks %s", want)
	}
}
