package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// A name is stored with each run of white space in it as one space, as a
// mail shows it: "Padded   Name" greeted its reader "Hello Padded
// Name,". A lone space of another kind (the ideographic space between a
// Japanese family and given name) is kept, line breaks and other control
// characters are refused as before, and the length is the collapsed
// name's.
func TestNormalizeNameCollapsesRunsOfSpaces(t *testing.T) {
	for _, tc := range []struct{ in, want, why string }{
		{"Padded   Name", "Padded Name", ""},
		{"  Ann \u00a0 Lee \u2003 Jr  ", "Ann Lee Jr", ""},
		{"山田\u3000太郎", "山田\u3000太郎", ""},
		{"Jean-Luc\u00a0Marchand", "Jean-Luc\u00a0Marchand", ""},
		{"Ann Lee", "Ann Lee", ""},
		{"Ann\n\nLee", "", "use plain text without control characters: remove the line break after “Ann”"},
		{"Ann\t\tLee", "", "use plain text without control characters: remove the tab after “Ann”"},
		{strings.Repeat("a  ", MaxNameLen/2), strings.TrimSpace(strings.Repeat("a ", MaxNameLen/2)), ""},
	} {
		got, why := NormalizeName(tc.in)
		if got != tc.want || why != tc.why {
			t.Errorf("NormalizeName(%q) = %q, %q; want %q, %q", tc.in, got, why, tc.want, tc.why)
		}
	}
}

// A name typed with runs of spaces is stored collapsed, whichever way it
// comes: an editor's add, a signup, an import.
func TestNameIsStoredWithRunsOfSpacesCollapsed(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	added, err := e.store.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Padded   Name", Status: StatusConfirmed, Lists: []string{"sport"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "bo@example.com", Name: "Bo  \u00a0Lee", Lists: []string{"sport"}})
	e.importRun("email,name,lists\ncy@example.com,Cy    Tan,sport\n", ImportOptions{})
	for addr, want := range map[string]string{"ann@example.com": "Padded Name", "bo@example.com": "Bo Lee", "cy@example.com": "Cy Tan"} {
		var name string
		if err := e.store.db.Read.QueryRow(`SELECT name FROM subscribers WHERE email = ?`, addr).Scan(&name); err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		if name != want {
			t.Errorf("%s: stored name %q, want %q", addr, name, want)
		}
	}
	if added.Name != "Padded Name" {
		t.Errorf("Create returned the name %q, want Padded Name", added.Name)
	}
}

// A name stored before, with its runs of spaces, is shown collapsed in the
// mails to a confirmed reader that greet them: the confirmation of a new
// list and the already-subscribed mail read "Hello Padded   Name,".
func TestStoredNameWithRunsIsGreetedCollapsed(t *testing.T) {
	e := newSMTPEnv(t)
	for _, tc := range []struct{ addr, signsUpFor string }{
		{"kit@example.com", "sport"}, // the confirmation of a new list
		{"lou@example.com", "news"},  // the already-subscribed mail
	} {
		id := e.confirmedReader(tc.addr, "news")
		if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET name = ? WHERE id = ?`, "Padded   Name", id); err != nil {
			t.Fatal(err)
		}
		e.signup(&Signup{Email: tc.addr, Lists: []string{tc.signsUpFor}})
		msgs := e.newMail()
		if len(msgs) != 1 {
			t.Fatalf("%s: %d mails, want 1", tc.addr, len(msgs))
		}
		pm := mailtest.Parse(t, msgs[0].Data)
		if !strings.HasPrefix(pm.Text, "Hello Padded Name,\n") || !strings.Contains(pm.HTML, "Hello Padded Name,</p>") {
			t.Errorf("%s: the mail does not greet Padded Name with one space:\n%s", tc.addr, pm.Text)
		}
	}
}

// A refused name says which invisible character to remove and where: a
// tester's name with a direction override pasted in got only "use plain
// text without control characters", and could not see what to take out.
func TestNormalizeNameSaysWhichCharacterAndWhere(t *testing.T) {
	long := strings.Repeat("x", 30)
	for _, tc := range []struct{ in, why string }{
		{"\u202eAnn", "remove the invisible direction mark (U+202E) at its start"},
		{"محمد\u202e O'Brien", "remove the invisible direction mark (U+202E) after “محمد”"},
		{"Ann\ufeffLee", "remove the invisible byte order mark (U+FEFF) after “Ann”"},
		{"Ann\u2028Lee", "remove the line separator (U+2028) after “Ann”"},
		{"Ann\x07Lee", "remove the control character U+0007 after “Ann”"},
		{long + "\u2066", "remove the invisible direction mark (U+2066) after “…" + strings.Repeat("x", 20) + "”"},
	} {
		_, why := NormalizeName(tc.in)
		if why != "use plain text without control characters: "+tc.why {
			t.Errorf("NormalizeName(%q) says %q, want it to end %q", tc.in, why, tc.why)
		}
	}
}
