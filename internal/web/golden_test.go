package web

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites the golden files under testdata/ with what the pages
// render now: go test ./internal/web -run Golden -update.
var update = flag.Bool("update", false, "rewrite the golden files")

// goldenDate is a date as the templates' date func writes it
// ("2 January 2006"). Issues carry the moment they started sending, which
// the campaign store takes from the clock, so the day printed is today's.
var goldenDate = regexp.MustCompile(`\b[0-9]{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{4}\b`)

// normaliseGolden replaces what changes from run to run with stable
// placeholders, so that everything else can be compared byte for byte.
//
// Only dates need it. The signed links on the pages (preferences,
// unsubscribe) are not normalised: they never expire (ttl 0), the test
// signer's key is fixed and the seeded subscribers get the same ids in
// every fresh database, so the tokens are the same on every run, and
// keeping them pins which purpose each link is signed for. The public
// pages carry no CSRF token, and the time-limited confirmation token only
// appears in the request, never in a page.
func normaliseGolden(body []byte) []byte {
	return goldenDate.ReplaceAll(body, []byte("[date]"))
}

// layoutStyle is the layout's <style> block, the same on every page.
var layoutStyle = regexp.MustCompile(`(?s)<style>\n(.*?)</style>`)

// checkGolden compares got, normalised, with testdata/NAME.golden.html, or
// writes it there under -update. The layout's stylesheet, which every page
// carries, is compared once against testdata/layout.golden.css and stands
// as a placeholder in the page's file, which then shows the page itself.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = normaliseGolden(got)
	if m := layoutStyle.FindSubmatchIndex(got); m != nil {
		compareGolden(t, filepath.Join("testdata", "layout.golden.css"), got[m[2]:m[3]])
		got = append(append(append([]byte{}, got[:m[2]]...), "[testdata/layout.golden.css]\n"...), got[m[3]:]...)
	}
	compareGolden(t, filepath.Join("testdata", name+".golden.html"), got)
}

// compareGolden compares got with the file at path, or writes it there
// under -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/web -run Golden -update to create it)", err)
	}
	// Compared as lines, so a mismatch reads as a line diff.
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
