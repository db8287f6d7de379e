package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointerCopiesTheWALBesideTheCommits checks the three parts of
// the checkpointer: SQLite's own checkpoint is moved out of the way on
// the write connection; what is committed reaches the database file
// itself without a checkpoint in any commit; and under a stream of
// commits, which never leaves the WAL wholly copied, the WAL still starts
// again near restartFrames instead of growing to the write connection's
// own limit.
func TestCheckpointerCopiesTheWALBesideTheCommits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	var auto int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != inlineFrames {
		t.Fatalf("the write connection checkpoints at %d frames, want %d", auto, inlineFrames)
	}

	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO notes (body) VALUES ('first')`); err != nil {
		t.Fatal(err)
	}
	// Two frames, far below any automatic checkpoint: only the
	// checkpointer can have put them into the file.
	deadline := time.Now().Add(10 * time.Second)
	for fileHolds(t, path, `SELECT count(*) FROM notes WHERE body = 'first'`) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the database file lacks a commit 10 s after it: nothing checkpointed it")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Streams of small commits, as signups make, with no pause: ~1.3
	// frames each (a leaf page, and now and then its parent). The first
	// gives the checkpointer the rate; a TRUNCATE checkpoint then empties
	// the WAL file, so that its size shows the most frames the second
	// stream left in it. That stream writes ~2.5 times the frames at
	// which the write connection restarts the WAL by itself: without the
	// checkpointer's restarts the WAL grows to those.
	stream := func(n int) {
		for i := range n {
			if _, err := db.Write.ExecContext(ctx, `INSERT INTO notes (body) VALUES (randomblob(800))`); err != nil {
				t.Fatalf("commit %d: %v", i, err)
			}
		}
	}
	// A machine busy elsewhere can keep the checkpointer off the CPU
	// for one whole stream, which the write connection's own limit then
	// catches (harmless, but not what is tested here): the stream gets
	// three tries. Without the checkpointer's restarts all three fail.
	stream(6000)
	commits := 6000
	for try := 1; ; try++ {
		if err := db.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		stream(18000)
		commits += 18000
		st, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		// A WAL is never shortened, so its size is the most frames it
		// held (a 32-byte header, then 24 bytes and a page a frame).
		most := (st.Size() - 32) / (24 + 4096)
		t.Logf("try %d: the WAL held at most %d frames", try, most)
		if most < inlineFrames {
			break
		}
		if try == 3 {
			t.Errorf("the WAL grew to %d frames under a stream of commits, to the write connection's own limit, in %d tries; the checkpointer should restart it from %d", most, try, restartFrames)
			break
		}
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM notes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != commits+1 {
		t.Fatalf("%d rows, want %d", n, commits+1)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fileHolds(t, path, `SELECT count(*) FROM notes`); got != commits+1 {
		t.Fatalf("after Close the file holds %d rows, want %d", got, commits+1)
	}
}

// fileHolds copies the database file alone, without its WAL, and returns
// the number query counts in the copy; -1 when the copy cannot be read,
// as when it was taken in the middle of a checkpoint.
func fileHolds(t *testing.T, path, query string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := sql.Open("sqlite3", "file:"+cp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := -1
	if err := c.QueryRow(query).Scan(&n); err != nil {
		return -1
	}
	return n
}
