package main

import (
	"slices"
	"testing"
)

// A BULLETIN_ variable that names no setting is said to be ignored, with
// the setting it was likely meant for when one is a few slips away; the
// settings, and the variables of the tests and the image, are not.
func TestUnknownSettingsAreNamedWithTheNearest(t *testing.T) {
	got := unknownSettings([]string{
		"BULLETIN_SMPT_URL=smtp://127.0.0.1:25", "BULLETIN_SMTP_URL=smtp://127.0.0.1:25", "BULLETIN_BOGUS=1",
		"BULLETIN_BASEURL=http://127.0.0.1", "BULLETIN_TEST_REDIS_URL=redis://127.0.0.1:1/0", "BULLETIN_BENCH_N=10",
		"BULLETIN_INTEGRATION=1", "BULLETIN_CPUPROFILE=/tmp/p", "HOME=/root", "BULLETIN_REDIS_URL=",
		"BULLETIN_SCREENSHOTS=/tmp/s", "BULLETIN_BLAST_ADDR=127.0.0.1:2525", "BULLETIN_BLAST_N=10",
	})
	want := []string{
		"BULLETIN_SMPT_URL is no setting of Bulletin and is ignored: did you mean BULLETIN_SMTP_URL?",
		"BULLETIN_BOGUS is no setting of Bulletin and is ignored (bulletin serve -h lists the settings)",
		"BULLETIN_BASEURL is no setting of Bulletin and is ignored: did you mean BULLETIN_BASE_URL?",
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n%q\nwant\n%q", got, want)
	}
}
