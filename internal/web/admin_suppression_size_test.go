package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The suppression import takes files of up to 8 MB, as its form says:
// limitBody's 1 MiB for other bodies does not apply to it, and a file
// over 8 MB is refused with the page and what to do, not the API's JSON.
func TestSuppressionImportTakesFilesOverAMegabyte(t *testing.T) {
	e := newFeedbackEnv(t)
	a := e.a
	a.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/suppressions")

	var file strings.Builder
	n := 0
	// Over a megabyte in long lines: as many short ones (80,000 rows in
	// 2 MB) took over half a minute to store under -race.
	pad := strings.Repeat("x", 40)
	for ; file.Len() < 1100<<10; n++ {
		fmt.Fprintf(&file, "reader-%07d.%s@blocked-by-the-publisher.test\n", n, pad)
	}
	status, body := e.uploadSuppressions(csrf, file.String())
	if status != http.StatusOK {
		t.Fatalf("import of a %d-byte file = %d, want 200:\n%.300s", file.Len(), status, body)
	}
	if want := fmt.Sprintf("%d added", n); !strings.Contains(body, want) {
		t.Errorf("the page after the import does not say %q:\n%.2000s", want, body)
	}

	for file.Len() <= maxSuppressionFile {
		fmt.Fprintf(&file, "reader-%07d@blocked.test\n", n)
		n++
	}
	status, body = e.uploadSuppressions(csrf, file.String())
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "split it into files of at most 8 MB") {
		t.Errorf("import of a %d-byte file = %d, want 413 and the page saying what to do:\n%.2000s", file.Len(), status, body)
	}
}
