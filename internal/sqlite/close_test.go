package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// openWithoutCheckpointer opens a database whose checkpointer is stopped,
// so that its commits stay in the WAL until Close, and gives it a table
// of notes.
func openWithoutCheckpointer(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ckpt.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// commitNotes commits n notes, one a transaction, as signups do.
func commitNotes(t *testing.T, db *DB, n int) {
	t.Helper()
	for i := range n {
		if _, err := db.Write.Exec(`INSERT INTO notes (body) VALUES (randomblob(800))`); err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
	}
}

// TestCloseLeavesEveryCommitInTheFile checks that a closed database's
// file holds every commit, so that a copy of the file alone misses none,
// in the two cases where SQLite's own checkpoint at the last close does
// not run or stops short, without a word: the write connection was
// interrupted by a cancelled statement (as the checkpointer's last pass is
// when Close stops it), or a reader still held its connection when Close
// began (the read pool's Close does not wait for it).
func TestCloseLeavesEveryCommitInTheFile(t *testing.T) {
	t.Run("after a cancelled statement", func(t *testing.T) {
		db, path := openWithoutCheckpointer(t)
		commitNotes(t, db, 100)
		// A statement that runs until it is interrupted.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		var n int
		err := db.Write.QueryRowContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c`).Scan(&n)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the endless statement returned %d, %v; want it cancelled", n, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if got := fileHolds(t, path, `SELECT count(*) FROM notes`); got != 100 {
			t.Fatalf("after Close the file holds %d rows, want 100", got)
		}
	})

	t.Run("after a reader that outlasts the read pool", func(t *testing.T) {
		db, path := openWithoutCheckpointer(t)
		tx := beginRead(t, db)
		commitNotes(t, db, 100)
		done := make(chan struct{})
		go func() {
			defer close(done)
			time.Sleep(200 * time.Millisecond)
			tx.Rollback()
		}()
		err := db.Close()
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if got := fileHolds(t, path, `SELECT count(*) FROM notes`); got != 100 {
			t.Fatalf("after Close the file holds %d rows, want 100", got)
		}
	})
}

// TestCloseWithAReaderLeftKeepsCommitsInTheWAL: a reader of an older
// snapshot that outlasts the busy timeout (in this process, or another
// process that has the database, as serve beside an import) keeps Close
// from copying the commits into the file. That is no error: Close
// succeeds, the commits stay in the WAL, and the database opened again
// has every one.
func TestCloseWithAReaderLeftKeepsCommitsInTheWAL(t *testing.T) {
	db, path := openWithoutCheckpointer(t)
	tx := beginRead(t, db)
	commitNotes(t, db, 100)
	// The write pool has one connection: the setting is Close's.
	if _, err := db.Write.Exec(`PRAGMA busy_timeout = 100`); err != nil {
		t.Fatal(err)
	}
	err := db.Close()
	tx.Rollback()
	if err != nil {
		t.Fatalf("Close with a reader holding commits in the WAL: %v", err)
	}
	if got := fileHolds(t, path, `SELECT count(*) FROM notes`); got == 100 {
		t.Fatalf("the file alone holds all 100 rows: the reader did not keep them in the WAL, so this tests nothing")
	}
	again, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var n int
	if err := again.Read.QueryRow(`SELECT count(*) FROM notes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("the database with its WAL holds %d rows, want 100", n)
	}
}

// beginRead begins a read on the read pool that holds the snapshot it
// sees, with the notes table empty, until it ends.
func beginRead(t *testing.T, db *DB) *sql.Tx {
	t.Helper()
	tx, err := db.Read.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM notes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d notes, want none", n)
	}
	return tx
}
