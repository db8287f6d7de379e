package web

import (
	"regexp"
	"strings"
	"testing"
)

var describedCell = regexp.MustCompile(`<td data-label="Description">([^<]*)</td>`)

// On a phone each cell of the API reference stands under its label: a
// field with no description has no label, where every such field showed
// "Description:" over nothing. A field with one keeps its label.
func TestAdminAPIPageLabelsOnlyDescriptions(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	_, body := a.get("/admin/api")
	described := describedCell.FindAllStringSubmatch(body, -1)
	if len(described) == 0 {
		t.Fatalf("no field's description is labelled:\n%s", body)
	}
	for _, m := range described {
		if strings.TrimSpace(m[1]) == "" {
			t.Errorf("an empty description is labelled: %s", m[0])
		}
	}
	if !strings.Contains(body, `</td><td></td></tr>`) {
		t.Errorf("no field without a description, which the test is about:\n%s", body)
	}
}
