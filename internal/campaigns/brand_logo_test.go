package campaigns_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// TestCampaignMastheadLogoHasItsSize: a campaign's mail shows the logo
// saved in the settings with the width and height its file gives (48
// pixels high, or 240 wide when that is narrower), as attributes for
// Outlook on Windows and in its style.
func TestCampaignMastheadLogoHasItsSize(t *testing.T) {
	for _, tc := range []struct {
		width, height int
		want          string
	}{
		{600, 100, `width="240" height="40" style="display:block;width:240px;height:40px;border:0;">`},
		{200, 80, `width="120" height="48" style="display:block;width:120px;height:48px;border:0;">`},
	} {
		e := newGoldenEnv(t, "harbour", "Harbour Notes", "daily")
		store := settings.NewStore(e.db, filepath.Join(t.TempDir(), "media"), settings.Defaults{PublicURL: goldenBaseURL, From: goldenFrom})
		var logo bytes.Buffer
		if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, tc.width, tc.height))); err != nil {
			t.Fatal(err)
		}
		err := store.Save(context.Background(), &settings.Update{Publication: settings.Publication{
			Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", Credit: true}, Logo: logo.Bytes()})
		if err != nil {
			t.Fatal(err)
		}
		e.svc.Settings = store
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Tide tables", Lists: []string{"harbour"}, Body: "Hello."})
		pm := mailtest.Parse(t, e.send(t))
		p, _ := store.Stored(context.Background())
		want := `<img src="https://letters.quayside.example/media/` + p.Logo + `" alt="Quayside Courier" ` + tc.want
		if got := regexp.MustCompile(`<img [^>]*>`).FindString(pm.HTML); got != want {
			t.Errorf("%dx%d logo: masthead\n got %s\nwant %s", tc.width, tc.height, got, want)
		}
	}
}
