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
	createLeft(t, s, &NewSubscriber{Email: "left@x.example", Status: StatusUnsubscribed, Lists: []string{"news"}})
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

// Past maxNotes skipped lines the report keeps the file's first ones,
// those found when a batch met the database among them: a stored
// reader's line 2 is not crowded out by a thousand repeats read before
// its batch was written.
func TestImportReportKeepsTheFirstSkippedLines(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	createLeft(t, s, &NewSubscriber{Email: "left@x.example", Status: StatusUnsubscribed, Lists: []string{"news"}})
	var b strings.Builder
	b.WriteString("email,name\nleft@x.example,Left\n")
	for range maxNotes + 2 {
		b.WriteString("again@x.example,Again\n")
	}
	rep, err := s.Import(ctx, strings.NewReader(b.String()), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != maxNotes+2 || len(rep.SkippedLines) != maxNotes {
		t.Fatalf("skipped %d, %d notes; want %d and %d", rep.Skipped, len(rep.SkippedLines), maxNotes+2, maxNotes)
	}
	if first, second := rep.SkippedLines[0], rep.SkippedLines[1]; first.Line != 2 || first.Email != "left@x.example" || second.Line != 4 {
		t.Errorf("the report starts with lines %d (%s) and %d, want 2 (left@x.example) and 4", first.Line, first.Email, second.Line)
	}
}
