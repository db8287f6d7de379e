package subscribers

import (
	"bytes"
	"context"
	"encoding/csv"
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
