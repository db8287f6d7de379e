package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The import's report names whose each line is, quoted: an invalid line's
// email cell may hold anything, and is printed so a terminal shows it as
// it is, control characters escaped.
func TestImportReportNamesEachLine(t *testing.T) {
	var out bytes.Buffer
	m := &Main{Stdout: &out}
	m.printImportReport(&subscribers.ImportReport{
		Added: 1, Skipped: 1, Invalid: 2, Noted: 1,
		InvalidLines: []subscribers.LineNote{
			{Line: 3, Email: "not-an-address\x1b[2J", Reason: "email: not an address"},
			{Line: 4, Reason: "the CSV is malformed here: bare \" in non-quoted field"},
		},
		SkippedLines: []subscribers.LineNote{{Line: 5, Email: "ann@example.com", Reason: "repeats line 2"}},
		NotedLines:   []subscribers.LineNote{{Line: 6, Email: "bo@example.com", Reason: "left “News” on 3 November 2026; not rejoined (they unsubscribed)"}},
	}, time.Second)
	want := []string{
		"added 1, updated 0, skipped 1, invalid 2 (in 1s)",
		`invalid line 3 ("not-an-address\x1b[2J"): email: not an address`,
		`invalid line 4: the CSV is malformed here: bare " in non-quoted field`,
		`skipped line 5 ("ann@example.com"): repeats line 2`,
		`note on line 6 ("bo@example.com"): left “News” on 3 November 2026; not rejoined (they unsubscribed)`,
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
