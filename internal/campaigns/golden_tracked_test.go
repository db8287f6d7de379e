package campaigns_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// TestGoldenTrackedCampaignMail is the golden campaign's mail to a list
// with tracking and opens on: its HTML part's links through BASE/r/, the
// footer's as they were, the text part's URLs as written, and the open
// pixel at the end of the HTML body.
func TestGoldenTrackedCampaignMail(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour Notes", "off")
	e.exec(t, `UPDATE lists SET tracking = 'on', opens = 1`)
	e.svc.Tracker = tracking.NewSigner([]byte(goldenSecret))
	subject := "Harbour notes: the winter timetable"
	c := &campaigns.Campaign{Subject: subject, Lists: []string{"harbour"}, Body: `Hello {{ .Name }},

Read the [full timetable](https://news.example/ferry/winter-timetable?from=north&to=south) before you travel,
or see <https://maps.example/harbour>. Questions: [the desk](mailto:desk@news.example).
`}
	e.sendCampaign(t, c)
	golden := mailtest.Golden(t, "campaign_tracked", e.send(t), *update)
	pm := mailtest.Parse(t, golden)
	from, _ := mail.ParseAddress(goldenFrom)
	mailtest.CheckHeaders(t, golden, pm, from, &goldenReader, subject)
	e.checkBulk(t, pm, "Harbour Notes <harbour.news.example>")
	if n := strings.Count(pm.HTML, "https://news.example/r/"); n != 3 {
		t.Errorf("HTML part has %d tracked links, want 3 (masthead, timetable, map)", n)
	}
	if n := strings.Count(pm.Text, "https://news.example/r/"); n != 0 {
		t.Errorf("text part has %d tracked links, want none: it keeps the URLs as written", n)
	}
	if n := strings.Count(pm.HTML, `<img src="https://news.example/o/`); n != 1 {
		t.Errorf("HTML part has %d open pixels, want 1", n)
	}
}
