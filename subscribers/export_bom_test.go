package subscribers

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// bulletin export's CSV (ExportCSV) has no byte-order mark, for scripts
// that read its first column's name; the admin's download adds one for
// Excel. The import reads either: the mark skipped, the header read as
// the export's, the accents kept.
func TestExportCSVHasNoBOMAndImportSkipsOne(t *testing.T) {
	src := newStore(t)
	ctx := context.Background()
	if _, err := src.Create(ctx, &NewSubscriber{Email: "renee@example.com", Name: "Renée Dubois", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := src.ExportCSV(ctx, &buf, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "email,name,") {
		t.Fatalf("bulletin export starts %q, want the header without a mark", buf.String()[:min(buf.Len(), 16)])
	}
	for _, file := range []string{buf.String(), "\uFEFF" + buf.String()} {
		dst := newStore(t)
		rep, err := dst.Import(ctx, strings.NewReader(file), ImportOptions{Confirmed: true})
		if err != nil || !rep.Header || rep.Added != 1 || rep.Invalid != 0 || len(rep.IgnoredColumns) != 0 {
			t.Fatalf("import of %q: %+v, %v", file[:8], rep, err)
		}
		sub, err := dst.ByEmail(ctx, "renee@example.com")
		if err != nil || sub.Name != "Renée Dubois" || len(sub.Lists) != 1 || sub.Lists[0] != "news" {
			t.Errorf("imported %+v, %v; want Renée Dubois on news", sub, err)
		}
	}
}
