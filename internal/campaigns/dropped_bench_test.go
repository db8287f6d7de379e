package campaigns

import (
	"strings"
	"testing"
)

// BenchmarkDropped times the note of what a body's mail leaves out on
// the bodies that made it slow: quotes within quotes, a deep list, many
// inline marks, long plain text. The note is made at each view of the
// campaign's page. The quotes and the list are deeper, and the marks
// closer together, than a body is now saved with (shapeFaults): Dropped
// returns at once for those, and the rest time the look itself. Run with:
//
//	go test ./internal/campaigns -run '^$' -bench Dropped -benchtime 3x
func BenchmarkDropped(b *testing.B) {
	var deepList strings.Builder
	for i := range 300 {
		deepList.WriteString(strings.Repeat("  ", i) + "- item\n")
	}
	for _, c := range []struct{ name, body string }{
		{"quotes-5000-deep", strings.Repeat("> ", 5000) + "x"},
		{"list-300-deep", deepList.String()},
		{"emphasis-120k", strings.Repeat("*a* ", 120000)},
		{"paragraphs-480KB", strings.Repeat("The harbour is busy today and the boats are in.\n\n", 10000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Dropped(c.body)
			}
		})
	}
}

// A tag deep in quotes within quotes, as deep as a body may nest them,
// is found, as the quotes are looked through rather than rendered at
// each level.
func TestDroppedInADeepQuote(t *testing.T) {
	if got := Dropped(strings.Repeat("> ", maxNesting) + "<font>x</font>"); len(got) != 1 || got[0].What != "<font>" {
		t.Errorf("Dropped of a deep quote = %v, want its <font>", got)
	}
}
