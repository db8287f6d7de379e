package jsonkind

import "testing"

func TestOf(t *testing.T) {
	for raw, want := range map[string]string{
		"": "nothing", "  ": "nothing", `{"a":1}`: "an object", " [1]": "a list", `"x"`: "a string",
		"true": "true or false", "false": "true or false", "null": "null", "-1.5": "a number", "3": "a number",
	} {
		if got := Of([]byte(raw)); got != want {
			t.Errorf("Of(%q) = %q, want %q", raw, got, want)
		}
	}
}
