package main

import (
	"errors"
	"fmt"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// An import stopped by a full disk says so plainly, and what of the file
// is in: nothing, or the readers of the lines before the batch that
// failed, and that running it again finishes the job. It said "bulletin
// import: import rows 1001–2000: insert subscribers: database or disk is
// full" (sqlite's fullError: the driver's words, marked EUNAVAILABLE).
func TestImportOnAFullDiskSaysWhatIsStored(t *testing.T) {
	full := fmt.Errorf("insert subscribers: %w", errors.Join(sqlite3.Error{Code: sqlite3.ErrFull},
		bulletin.Errorf(bulletin.EUNAVAILABLE, "The server cannot store anything right now (its disk is full). Please try again later.")))
	m := &Main{Config: Config{Data: "/var/lib/bulletin"}}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"after two batches", &subscribers.BatchError{First: 2002, Last: 3001, Stored: 2000, Err: full},
			"bulletin import: the disk is full, so the import stopped at line 2002 of readers.csv: the readers on lines 1 to 2001 are imported, " +
				"nothing from line 2002 on is. To import the rest, free some space on the disk of the data folder /var/lib/bulletin, " +
				"then run the same import again: it skips the readers stored already and mails no one twice"},
		{"in the first batch", &subscribers.BatchError{First: 2, Last: 1001, Err: full},
			"bulletin import: the disk is full, so nothing from readers.csv was imported: free some space on the disk of the data folder /var/lib/bulletin, then run the same import again"},
		{"before any batch", full,
			"bulletin import: the disk is full, so nothing from readers.csv was imported: free some space on the disk of the data folder /var/lib/bulletin, then run the same import again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := m.importError(t.Context(), tt.err, "readers.csv", "news")
			if got := "bulletin import: " + plainMessage("import", err); got != tt.want {
				t.Errorf("said\n%s\nwant\n%s", got, tt.want)
			}
			var ue usageError
			if errors.As(err, &ue) {
				t.Error("a full disk is said as a usage error (exit status 2): it is no fault of the command line")
			}
		})
	}
}
