package campaigns

import "testing"

// WritesPersonalField is true of a body that writes any field a test
// mail fills with the sample reader's, the address as much as the name,
// and of no body whose braces are text.
func TestWritesPersonalField(t *testing.T) {
	for body, want := range map[string]bool{
		"Hello {{ .Name }},":                   true,
		`Hello {{ .Name | default "there" }},`: true,
		"Sent to {{ .Email }}.":                true,
		"Sent to {{.Email}}.":                  true,
		"No field here.":                       false,
		`Write {{ "{{" }} for two braces.`:     false,
		"An unclosed {{ .Email":                false,
	} {
		if got := WritesPersonalField(body); got != want {
			t.Errorf("WritesPersonalField(%q) = %v, want %v", body, got, want)
		}
	}
}
