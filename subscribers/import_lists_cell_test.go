package subscribers

import (
	"strings"
	"testing"
)

// A row that leaves the lists column empty, when no list is given for the
// whole file, puts its reader on no list: it is invalid, and says what to
// do, rather than storing a pending reader whose confirmation names no
// list. With --list every row has a list. A row that says its reader
// unsubscribed or bounced needs none: it records someone gone.
func TestImportEmptyListsCell(t *testing.T) {
	e := newSignupEnv(t)
	in := "email,name,lists,status\n" +
		"ann@example.com,Ann,news,\n" +
		"bo@example.com,Bo,,\n" +
		"cy@example.com,Cy, ,confirmed\n" +
		"di@example.com,Di,,unsubscribed\n"
	rep := e.importRun(in, ImportOptions{})
	if rep.Added != 2 || rep.Invalid != 2 || rep.Pending != 1 {
		t.Errorf("report %+v, want ann and di added, bo and cy invalid", rep)
	}
	for i, line := range []int{3, 4} {
		if i >= len(rep.InvalidLines) {
			break
		}
		n := rep.InvalidLines[i]
		if n.Line != line || !strings.Contains(n.Reason, "name at least one list in the lists column") || !strings.Contains(n.Reason, "--list") {
			t.Errorf("invalid line %+v, want line %d saying to name a list", n, line)
		}
	}
	if text, _ := e.takeMail("bo@example.com"); text != "" {
		t.Errorf("a confirmation naming no list:\n%s", text)
	}

	rep = e.importRun("email,name,lists\nbo@example.com,Bo,\n", ImportOptions{List: "sport"})
	if rep.Added != 1 || rep.Invalid != 0 {
		t.Errorf("with --list: %+v, want bo added", rep)
	}
	if text, _ := e.takeMail("bo@example.com"); !strings.Contains(text, "(Sport)") {
		t.Errorf("with --list, bo's mail does not name Sport:\n%s", text)
	}
}

// An export writes a reader confirmed on no list with an empty lists
// cell: an import that vouches for consent reads the line back as it was,
// while a line that does not say confirmed still needs a list.
func TestImportEmptyListsCellOfConfirmedReader(t *testing.T) {
	s := newStore(t)
	in := "email,lists,status\ned@example.com,,confirmed\nfay@example.com,,\n"
	rep, err := s.Import(t.Context(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Invalid != 1 || len(rep.InvalidLines) != 1 || rep.InvalidLines[0].Line != 3 {
		t.Errorf("report %+v, want ed added and fay's line 3 invalid", rep)
	}
}
