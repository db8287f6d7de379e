package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Checkpoints. SQLite copies the WAL back into the database file when a
// commit leaves it longer than wal_autocheckpoint frames, inside that
// COMMIT: with synchronous=NORMAL the copy fsyncs the WAL and then the
// database file, 4–8 ms on the development guest for a WAL of 1,000
// frames, while every writer waits. Under a stream of signups that was
// ~100 of ~14,500 commits and half of all the time spent committing.
//
// So a checkpointer copies the WAL from a connection of its own, every
// checkpointEvery while something changed, beside the commits (a PASSIVE
// checkpoint waits for no one). A WAL starts again from its first frame
// only when a commit finds all of it copied, which a stream of commits
// never leaves: so once the WAL holds restartFrames, the checkpointer
// finishes the copy on the write connection, between two transactions,
// where only the few frames written since its own pass are left to copy
// and sync, and the next commit starts the WAL again. The write
// connection's own checkpoint stays, at inlineFrames, should the
// checkpointer fall behind.
const (
	checkpointEvery = 20 * time.Millisecond
	restartFrames   = 4000
	inlineFrames    = 10000
)

// writeDriver is the driver of the write pool: mattn's, with SQLite's own
// checkpoint moved to inlineFrames on every connection it opens.
const writeDriver = "sqlite3_bulletin_write"

func init() {
	sql.Register(writeDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", inlineFrames), nil)
			return err
		},
	})
}

// A checkpointer copies the WAL into the database file off the commits'
// path; see the package's checkpoint constants.
type checkpointer struct {
	conn  *sql.DB // one read-write connection of its own
	write *sql.DB
	seen  int64 // data_version at the last pass
	// mu is held through a step, and by DB.Checkpoint: SQLite answers
	// busy, without waiting, to a checkpoint begun during another.
	mu sync.Mutex
	stop  context.CancelFunc
	done  chan struct{}
}

func newCheckpointer(path string, write *sql.DB) (*checkpointer, error) {
	conn, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	return &checkpointer{conn: conn, write: write, seen: -1, stop: func() {}}, nil
}

// start runs the checkpointer until close.
func (c *checkpointer) start() {
	ctx, stop := context.WithCancel(context.Background())
	c.stop, c.done = stop, make(chan struct{})
	go func() {
		defer close(c.done)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				c.step(ctx)
			}
		}
	}()
}

// step copies what was committed since the last step, and has the write
// connection finish the copy once the WAL holds restartFrames. An error
// is the write path's to report, as it writes: the next step tries again.
func (c *checkpointer) step(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// data_version changes when another connection commits: an idle
	// database costs a query a step, no checkpoint.
	var version int64
	if err := c.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&version); err != nil || version == c.seen {
		return
	}
	c.seen = version
	if frames, err := pass(ctx, c.conn); err == nil && frames >= restartFrames {
		pass(ctx, c.write)
	}
}

// pass runs a PASSIVE checkpoint on db and returns the frames in the WAL.
func pass(ctx context.Context, db *sql.DB) (int, error) {
	var busy, frames, copied int
	err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, err
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	c.stop()
	if c.done != nil {
		<-c.done
	}
	return c.conn.Close()
}
