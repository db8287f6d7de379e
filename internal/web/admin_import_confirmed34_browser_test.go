package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// In Chromium, at a phone's width and a laptop's, light and dark: an
// export uploaded without the consent box comes back as the form with the
// count of confirmed readers beside the boxes, an "Ask them again" box
// to tick, nothing sticking out; ticked, the same file imports.
// BULLETIN_SCREENSHOTS=dir keeps a screenshot of each view.
func TestAdminImportOfConfirmedRowsInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newAdminSubEnv(t)
	ctx := browser33(t)
	login33(t, ctx, e.a.base)
	file := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(file, []byte("email,name,lists,status\nada@example.com,Ada,daily-news,confirmed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	for _, v := range views33 {
		open33(t, ctx, v, e.a.base+"/admin/subscribers/import")
		pages31Do(t, ctx, "upload at "+v.String(), chromedp.SetUploadFiles("#file", []string{file}),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action='/admin/subscribers/import'] button[type=submit]").click()`),
			browsertest.WaitJS(`!!document.getElementById("confirmed-error")`, "the refusal"))
		said := eval33[string](t, ctx, `document.getElementById("confirmed-error").innerText`)
		if !strings.Contains(said, "marks 1 reader confirmed") {
			t.Errorf("%s: the refusal says %q", v, said)
		}
		if !eval33[bool](t, ctx, `(function(){var b=document.querySelector("input[name=reconfirm]");return !!b&&b.offsetParent!==null})()`) {
			t.Errorf("%s: no Ask them again box to be seen", v)
		}
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("%s: %s", v, o)
		}
		if shots != "" {
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: screenshot: %v", v, err)
			}
			name := strings.NewReplacer(" ", "", ",", "-").Replace(v.String())
			if err := os.WriteFile(filepath.Join(shots, "import-confirmed-"+name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Ticked, the file imports.
	pages31Do(t, ctx, "ask them again", chromedp.SetUploadFiles("#file", []string{file}),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("input[name=reconfirm]").checked = true;
			document.querySelector("form[action='/admin/subscribers/import'] button[type=submit]").click()`),
		browsertest.WaitJS(`location.search.indexOf("job=") >= 0`, "the import's progress page"))
	if sub := e.byEmail("ada@example.com"); sub == nil || sub.Status != "pending" {
		t.Errorf("ada after Ask them again = %+v, want pending", sub)
	}
}
