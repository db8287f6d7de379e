package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Column reads a column in order as the type asked for, gives nil for no
// rows, and passes the query's error through.
func TestColumn(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	defer db.Close()
	ids, err := sqlite.Column[int64](db.Read.Query(`SELECT value FROM json_each('[3, 1, 2]')`))
	if err != nil || len(ids) != 3 || ids[0] != 3 || ids[1] != 1 || ids[2] != 2 {
		t.Errorf("ids = %v, %v; want [3 1 2]", ids, err)
	}
	none, err := sqlite.Column[string](db.Read.Query(`SELECT slug FROM lists`))
	if err != nil || none != nil {
		t.Errorf("no rows = %#v, %v; want nil", none, err)
	}
	if _, err := sqlite.Column[string](db.Read.Query(`SELECT nope FROM lists`)); err == nil {
		t.Error("a failing query gave no error")
	}
	if _, err := sqlite.Column[int64](db.Read.Query(`SELECT 'not a number'`)); err == nil {
		t.Error("a text value scanned into int64")
	}
}
