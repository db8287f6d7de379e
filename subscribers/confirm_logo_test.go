package subscribers

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"regexp"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// TestConfirmMastheadLogoHasItsSize: the confirmation shows the logo of
// the settings with the width and height its file gives, as attributes
// (Outlook on Windows reads no CSS size) and in its style.
func TestConfirmMastheadLogoHasItsSize(t *testing.T) {
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, 96, 96))); err != nil {
		t.Fatal(err)
	}
	box, pub := confirmWithSettings(t, &settings.Update{Publication: settings.Publication{
		Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", FromAddress: "post@quayside.example", Credit: true,
	}, Logo: logo.Bytes()}, &Signup{Email: "zoe@example.org", Lists: []string{"tides"}})
	pm := mailtest.Parse(t, box["zoe@example.org"])
	p, _ := pub.Stored(context.Background())
	want := `<img src="https://letters.quayside.example/media/` + p.Logo + `" alt="Quayside Courier" width="48" height="48" ` +
		`style="display:block;width:48px;height:48px;border:0;">`
	if got := regexp.MustCompile(`<img [^>]*>`).FindString(pm.HTML); got != want {
		t.Errorf("masthead\n got %s\nwant %s", got, want)
	}
}
