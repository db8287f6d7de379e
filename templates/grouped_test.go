package templates

import (
	"math"
	"strings"
	"testing"
	texttemplate "text/template"
)

// grouped writes any integer in English digit groups, count counts it with a
// unit so grouped, and both refuse what is no integer.
func TestGroupedWritesDigitGroups(t *testing.T) {
	tmpl := texttemplate.Must(texttemplate.New("t").Funcs(Funcs).Parse(`{{grouped .N}}|{{count .N "readers"}}`))
	for _, tc := range []struct {
		n    any
		want string
	}{
		{0, "0|0 readers"},
		{1, "1|1 reader"},
		{999, "999|999 readers"},
		{1000, "1,000|1,000 readers"},
		{int64(1234567), "1,234,567|1,234,567 readers"},
		{uint32(100000), "100,000|100,000 readers"},
		{-1234, "-1,234|-1,234 readers"},
		{-999, "-999|-999 readers"},
		{int64(math.MinInt64), "-9,223,372,036,854,775,808|-9,223,372,036,854,775,808 readers"},
		{uint64(math.MaxUint64), "18,446,744,073,709,551,615|18,446,744,073,709,551,615 readers"},
	} {
		var b strings.Builder
		if err := tmpl.Execute(&b, map[string]any{"N": tc.n}); err != nil {
			t.Errorf("%v: %v", tc.n, err)
		} else if b.String() != tc.want {
			t.Errorf("%v: got %q, want %q", tc.n, b.String(), tc.want)
		}
	}
	if err := tmpl.Execute(&strings.Builder{}, map[string]any{"N": "1234"}); err == nil {
		t.Error("a string grouped without an error")
	}
}
