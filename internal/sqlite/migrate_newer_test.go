package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A database a newer Bulletin upgraded (its migrations table names a
// migration this binary lacks) is refused, naming the migration and what
// to do, and left as it is: an older binary put back in place ran on the
// newer schema and said it was up to date.
func TestOpenRefusesADatabaseANewerBulletinUpgraded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	open(t, path).Close()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO migrations (name, applied_at) VALUES ('migration/999_from_the_future.sql', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := sqlite.Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open took a database with a migration it does not know")
	}
	for _, want := range []string{path, "newer Bulletin", "999_from_the_future", "run the newer bulletin", "bulletin restore FILE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	raw, err = sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM migrations WHERE name = 'migration/999_from_the_future.sql'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the newer migration's record: %d, %v; want it kept", n, err)
	}
}
