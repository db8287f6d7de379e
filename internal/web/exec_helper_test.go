package web

import (
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// execer runs statements on db's write connection for a test that stores
// what no API call makes, failing the test on an error; each returns the
// id its insert gave.
func execer(t *testing.T, db *sqlite.DB) func(q string, args ...any) int64 {
	return func(q string, args ...any) int64 {
		t.Helper()
		res, err := db.Write.Exec(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
}
