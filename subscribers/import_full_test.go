package subscribers

import (
	"errors"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// An import whose batch cannot be stored, the disk full, stops there with
// a BatchError saying which lines the failed batch held and how many rows
// the batches before it stored: a command can then say what of the file is
// in. It was a bare "import rows 4–5: …" to be read by eye.
func TestImportOnAFullDiskSaysWhereItStopped(t *testing.T) {
	s := newStore(t)
	in := "email,name\nann@example.com,Ann\nbo@example.com,Bo\ncy@example.com,Cy\ndi@example.com,Di\n"
	batches := 0
	opt := ImportOptions{List: "news", Confirmed: true, BatchSize: 2, Progress: func(int) {
		if batches++; batches == 1 { // the first batch is in: the disk fills up
			sqlitetest.Fill(t, s.db, "subscribers")
		}
	}}
	_, err := s.Import(t.Context(), strings.NewReader(in), opt)
	var be *BatchError
	if !errors.As(err, &be) || bulletin.ErrorCode(err) != bulletin.EUNAVAILABLE {
		t.Fatalf("Import on a full disk = %v, want a BatchError of a full disk (EUNAVAILABLE)", err)
	}
	if be.First != 4 || be.Last != 5 || be.Stored != 2 {
		t.Errorf("BatchError{First: %d, Last: %d, Stored: %d}, want lines 4 to 5 not stored, 2 rows stored before", be.First, be.Last, be.Stored)
	}
	if !strings.HasPrefix(err.Error(), "import rows 4–5: ") {
		t.Errorf("the error reads %q, want it to start as before, with the rows", err)
	}
	sqlitetest.Free(t, s.db, "subscribers")
	for email, stored := range map[string]bool{"ann@example.com": true, "bo@example.com": true, "cy@example.com": false, "di@example.com": false} {
		if _, err := s.ByEmail(t.Context(), email); (err == nil) != stored {
			t.Errorf("%s: ByEmail = %v; want stored %v", email, err, stored)
		}
	}

	// Full from the start: nothing was stored.
	s = newStore(t)
	sqlitetest.Fill(t, s.db, "subscribers")
	_, err = s.Import(t.Context(), strings.NewReader(in), ImportOptions{List: "news", Confirmed: true, BatchSize: 2})
	if !errors.As(err, &be) || be.First != 2 || be.Stored != 0 {
		t.Errorf("Import on a disk full from the start = %v (%+v), want a BatchError at line 2 with nothing stored", err, be)
	}
}

// The report of an import stopped by a full disk counts only what is
// stored: the failed batch's transaction counted its rows as it went (a
// stored reader updated, a repeat merged), and its report said so though
// the rollback stored none of them.
func TestImportOnAFullDiskCountsOnlyWhatIsStored(t *testing.T) {
	s := newStore(t)
	if _, err := s.Import(t.Context(), strings.NewReader("email,name\nzed@example.com,Zed\n"), ImportOptions{List: "news", Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	// Lines 2–3 store two readers; lines 4–6 (zed renamed, cy new and
	// cy again) meet a full disk when cy's list is written.
	in := "email,name\nann@example.com,Ann\nbo@example.com,Bo\nzed@example.com,Zed Z\ncy@example.com,Cy\ncy@example.com,Cy\n"
	batches := 0
	opt := ImportOptions{List: "news", Confirmed: true, BatchSize: 2, Progress: func(int) {
		if batches++; batches == 1 {
			sqlitetest.Fill(t, s.db, "subscriptions")
		}
	}}
	rep, err := s.Import(t.Context(), strings.NewReader(in), opt)
	var be *BatchError
	if !errors.As(err, &be) || be.Stored != 2 {
		t.Fatalf("Import on a full disk = %v, want a BatchError after 2 rows stored", err)
	}
	sqlitetest.Free(t, s.db, "subscriptions")
	if rep.Added != 2 || rep.Updated != 0 || rep.Merged != 0 || rep.Skipped != 0 || len(rep.MergedLines)+len(rep.SkippedLines)+len(rep.NotedLines) != 0 {
		t.Errorf("report: added %d, updated %d, merged %d, skipped %d (lines merged %v, skipped %v, noted %v); want added 2 and nothing else: "+
			"the rows of the batch that failed are not stored", rep.Added, rep.Updated, rep.Merged, rep.Skipped, rep.MergedLines, rep.SkippedLines, rep.NotedLines)
	}
	if z, err := s.ByEmail(t.Context(), "zed@example.com"); err != nil || z.Name != "Zed" {
		t.Errorf("zed = %+v, %v; want the name stored before, Zed", z, err)
	}
}
