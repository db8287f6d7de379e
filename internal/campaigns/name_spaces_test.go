package campaigns_test

import (
	"net/mail"
	"strings"
	"testing"
)

// A name stored before NormalizeName collapsed its runs of spaces is shown
// with one space in each, in both parts and in the To header: the mail
// read "Hello Padded   Name,".
func TestStoredNameWithRunsOfSpacesIsShownCollapsed(t *testing.T) {
	pm := sentTo(t, "Harbour Notes", "Hello {{ .Name }},\n\nThe ferry runs again.", func(e *goldenEnv) {
		e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, "Padded   Name \u00a0 Jr", e.reader)
	})
	const want = "Hello Padded Name Jr,"
	for part, s := range map[string]string{"text": pm.Text, "HTML": pm.HTML} {
		if !strings.Contains(s, want) {
			t.Errorf("%s part lacks %q:\n%s", part, want, s)
		}
	}
	if to, err := mail.ParseAddress(pm.Header.Get("To")); err != nil || to.Name != "Padded Name Jr" {
		t.Errorf("To: %q (%v), want the name Padded Name Jr", pm.Header.Get("To"), err)
	}
}
