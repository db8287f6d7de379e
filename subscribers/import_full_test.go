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
