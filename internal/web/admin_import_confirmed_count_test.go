package web

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
)

// The refusal of a file that marks readers confirmed counts them in
// English: "1 reader", "17 readers", never "17 reader".
func TestAdminImportOfConfirmedRowsCountsReaders(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{1, "The file marks 1 reader confirmed."},
		{17, "The file marks 17 readers confirmed."},
	} {
		e := newAdminSubEnv(t)
		var file strings.Builder
		file.WriteString("email,lists,status\n")
		for i := range tc.n {
			fmt.Fprintf(&file, "reader%d@example.com,daily-news,confirmed\n", i)
		}
		resp, body := e.upload(file.String(), nil)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%d confirmed rows without consent = %d, want 422:\n%s", tc.n, resp.StatusCode, body)
		}
		if text := html.UnescapeString(body); !strings.Contains(text, tc.want) {
			t.Errorf("%d confirmed rows: the refusal does not say %q:\n%s", tc.n, tc.want, body)
		}
	}
}
