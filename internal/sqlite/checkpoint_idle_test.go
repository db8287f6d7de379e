package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointerLooksLessOftenAtAnIdleDatabase checks that the looks
// at a database nobody writes to come half as often each time, down to
// one every checkpointMax, and that the first commit after the lull
// brings them back to checkpointMin.
func TestCheckpointerLooksLessOftenAtAnIdleDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	// The checkpointer's own loop is stopped (close stops it again, as a
	// cancel may be called twice), so that only the looks below move its
	// waits; its connection stays open.
	c := db.ckpt
	c.stop()
	<-c.done
	// A commit after the stop, so that the first look below finds one
	// whatever the loop's own looks did before it stopped.
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO notes (body) VALUES ('before the lull')`); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if got := c.step(ctx, now); got != checkpointMin {
		t.Fatalf("the look after a commit: next look in %v, want %v", got, checkpointMin)
	}

	want := []time.Duration{20, 40, 80, 160, 250, 250, 250}
	for i, w := range want {
		now = now.Add(time.Second)
		if got := c.step(ctx, now); got != w*time.Millisecond {
			t.Fatalf("idle look %d: next look in %v, want %v", i+1, got, w*time.Millisecond)
		}
	}

	if _, err := db.Write.ExecContext(ctx, `INSERT INTO notes (body) VALUES ('after the lull')`); err != nil {
		t.Fatal(err)
	}
	if got := c.step(ctx, now.Add(time.Second)); got != checkpointMin {
		t.Fatalf("the look after a commit: next look in %v, want %v", got, checkpointMin)
	}
	if got := c.step(ctx, now.Add(2*time.Second)); got != checkpointMin {
		t.Fatalf("the first idle look after the commit: next look in %v, want %v (the back-off starts again)", got, checkpointMin)
	}
}
