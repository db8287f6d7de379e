package subscribers

import (
	"context"
	"strings"
	"testing"
)

// A line skipped when it is read (a repeated address) and one skipped
// when its batch meets the database (a reader who unsubscribed) are
// reported in the file's order, not in the order they were found.
func TestImportReportListsSkippedLinesInOrder(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, &NewSubscriber{Email: "left@x.example", Status: StatusUnsubscribed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	csv := "email,name\nleft@x.example,Left\nnew@x.example,New\nnew@x.example,New again\n"
	rep, err := s.Import(ctx, strings.NewReader(csv), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, n := range rep.SkippedLines {
		lines = append(lines, n.Line)
	}
	if len(lines) != 2 || lines[0] != 2 || lines[1] != 4 {
		t.Errorf("skipped lines %v (%+v), want [2 4]", lines, rep.SkippedLines)
	}
}
