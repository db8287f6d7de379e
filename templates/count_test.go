package templates

import (
	"strings"
	"testing"
	texttemplate "text/template"
)

// count makes the unit singular for one, of any integer type, and
// refuses what is no integer.
func TestCountSaysOneInTheSingular(t *testing.T) {
	tmpl := texttemplate.Must(texttemplate.New("t").Funcs(Funcs).Parse(
		`{{count .A "readers"}}, {{count .B "messages"}}, {{count .C "rows"}}, {{count .D "bounces"}}`))
	var b strings.Builder
	if err := tmpl.Execute(&b, map[string]any{"A": 1, "B": int64(0), "C": uint32(1), "D": int64(12)}); err != nil {
		t.Fatal(err)
	}
	if want := "1 reader, 0 messages, 1 row, 12 bounces"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if err := tmpl.Execute(&strings.Builder{}, map[string]any{"A": "1", "B": 1, "C": 1, "D": 1}); err == nil {
		t.Error("a string counted without an error")
	}
}
