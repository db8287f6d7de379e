package subscribers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A name or address that a spreadsheet would run as a formula is
// exported as text (an apostrophe in front), and an export imported again
// gives back what was stored.
func TestExportGuardsFormulasAndReadsBack(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	people := map[string]string{ // email → name
		"a@example.com":  `=HYPERLINK("http://evil.test","open")`,
		"b@example.com":  "+1 555",
		"c@example.com":  "-minus",
		"d@example.com":  "@home",
		"e@example.com":  "'=already quoted",
		"f@example.com":  "O'Brien",
		"g@example.com":  "Plain Name",
		"=h@example.com": "Formula Address",
	}
	for email, name := range people {
		if _, err := s.Create(ctx, &NewSubscriber{Email: email, Name: name, Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
	}
	var out bytes.Buffer
	if _, err := s.ExportCSV(ctx, &out, "news"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	for _, r := range rows[1:] {
		for _, c := range r[:2] {
			if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@') {
				t.Errorf("cell %q would run as a formula", c)
			}
		}
		cells[r[0]] = r[1]
	}
	if got := cells["a@example.com"]; got != `'=HYPERLINK("http://evil.test","open")` {
		t.Errorf("formula name exported as %q", got)
	}
	if got := cells["f@example.com"]; got != "O'Brien" {
		t.Errorf("plain name exported as %q", got)
	}
	if _, ok := cells["'=h@example.com"]; !ok {
		t.Errorf("formula address not quoted: %v", cells)
	}

	// Read the export into a new store: everything as it was.
	s2 := newStore(t)
	rep, err := s2.Import(ctx, bytes.NewReader(out.Bytes()), ImportOptions{List: "news", Confirmed: true})
	if err != nil || rep.Added != len(people) {
		t.Fatalf("import of the export: %+v, %v", rep, err)
	}
	got := map[string]string{}
	page, _, err := s2.List(ctx, Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range page {
		got[sub.Email] = sub.Name
	}
	if diff := cmp.Diff(people, got); diff != "" {
		t.Errorf("read back (-stored +imported):\n%s", diff)
	}
}

// Every cell start that OWASP lists as a formula trigger (=, +, -, @, tab,
// CR) is guarded, and so is each part after a ';', which spreadsheets set
// to use ';' between cells read as a cell of its own. Import takes each
// guard off again.
func TestTextCellGuardsEveryFormulaStart(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+1 555", "'+1 555"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\tTabbed", "'\tTabbed"},
		{"\r=1+1", "'\r=1+1"},
		{" =1+1", "' =1+1"},
		{"'=quoted", "''=quoted"},
		{"Ann;=HYPERLINK(\"http://evil.test\")", "Ann;'=HYPERLINK(\"http://evil.test\")"},
		{"Ann;+1;-1;@x", "Ann;'+1;'-1;'@x"},
		{"a;\tb", "a;'\tb"},
		{"Ann; Lee", "Ann; Lee"},
		{"O'Brien", "O'Brien"},
		{"news;sport", "news;sport"},
		{"", ""},
		{";", ";"},
	}
	for _, tt := range tests {
		got := textCell(tt.in)
		if got != tt.want {
			t.Errorf("textCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := fromTextCell(got); back != tt.in {
			t.Errorf("fromTextCell(%q) = %q, want %q back", got, back, tt.in)
		}
	}
}

// A name stored before names were checked (a tab in front) is guarded in
// the file too.
func TestExportGuardsStoredTabAndCR(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for i, name := range []string{"\t=1+1", "\r=1+1", "x;=1+1"} {
		sub, err := s.Create(ctx, &NewSubscriber{Email: fmt.Sprintf("p%d@example.com", i), Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Write.Exec(`UPDATE subscribers SET name = ? WHERE id = ?`, name, sub.ID); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := s.ExportCSV(ctx, &out, ""); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		for _, part := range strings.Split(r[1], ";") {
			if part != "" && strings.ContainsRune("=+-@\t\r", rune(part[0])) {
				t.Errorf("name cell %q has a part %q a spreadsheet would run", r[1], part)
			}
		}
	}
}
