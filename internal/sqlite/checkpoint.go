package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Checkpoints. SQLite copies the WAL back into the database file when a
// commit leaves it longer than wal_autocheckpoint frames, inside that
// COMMIT: with synchronous=NORMAL the copy fsyncs the WAL and then the
// database file, ~8 ms on the development guest for a WAL of 1,000
// frames, while every writer waits. Under a stream of signups that was
// ~100 of ~14,500 commits and half of all the time spent committing.
//
// So a checkpointer copies the WAL from a connection of its own, beside
// the commits (a PASSIVE checkpoint waits for no one). Each pass syncs
// both files, so it passes about every passFrames, as SQLite did: it
// waits as long as the WAL took to grow by that much at its last look,
// within checkpointMin and checkpointMax and at most twice its last wait;
// an idle database gets no pass, and looks that find it idle come half as
// often each time, down to one every checkpointMax: a look is a query
// (~80 µs of system calls), and at 50 a second it was a seventh of an idle
// serve's CPU. A stream that starts after a lull is looked at within
// checkpointMax, when the WAL holds a few thousand frames at the most, below
// the write connection's own inlineFrames. A WAL
// starts again from its first frame only when a commit finds all of it
// copied, which a stream of commits never leaves: so once the WAL holds
// restartFrames, the checkpointer finishes the copy on the write
// connection, between two transactions, where only the frames written
// during its own pass are left to copy and sync, and the next commit
// starts the WAL again. The write connection's own checkpoint stays, at
// inlineFrames, should the checkpointer fall behind.
const (
	checkpointMin = 20 * time.Millisecond
	checkpointMax = 250 * time.Millisecond
	passFrames    = 1000
	restartFrames = 4000
	inlineFrames  = 10000
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
	// mu is held through a step, and by DB.Checkpoint: SQLite answers
	// busy, without waiting, to a checkpoint begun during another.
	mu     sync.Mutex
	seen   int64         // data_version at the last step
	frames int           // in the WAL at the last pass
	at     time.Time     // of the last look
	wait   time.Duration // after the last pass
	idle   time.Duration // after the last look that found nothing new
	stop   context.CancelFunc
	done   chan struct{}
}

// startCheckpointer opens the checkpointer's connection to the database
// at path, read-write as a checkpoint writes the file, and runs it until
// close.
func startCheckpointer(path string, write *sql.DB) (*checkpointer, error) {
	conn, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{conn: conn, write: write, seen: -1, wait: checkpointMin, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		timer := time.NewTimer(checkpointMin)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-timer.C:
				timer.Reset(c.step(ctx, now))
			}
		}
	}()
	return c, nil
}

// step copies what was committed since the last step, has the write
// connection finish the copy once the WAL holds restartFrames, and
// returns when to step again. An error is the write path's to report, as
// it writes: the next step tries again.
func (c *checkpointer) step(ctx context.Context, now time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	// data_version changes when another connection commits: an idle
	// database costs a query a step, no checkpoint.
	var version int64
	if err := c.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&version); err != nil {
		return checkpointMax
	}
	if version == c.seen {
		c.at = now // the WAL holds what it held: a burst is timed from here
		c.idle = min(max(2*c.idle, checkpointMin), checkpointMax)
		return c.idle
	}
	c.seen, c.idle = version, 0
	frames, err := pass(ctx, c.conn)
	if err != nil || frames < 0 { // -1: another connection is checkpointing
		return checkpointMin
	}
	if frames >= restartFrames {
		return c.finish(ctx)
	}
	// The rate the WAL grows at, from two looks with no restart between
	// them; until there is one, look again soon.
	grown, took := frames-c.frames, now.Sub(c.at)
	c.frames, c.at = frames, now
	if grown <= 0 || took <= 0 || took > time.Minute {
		c.wait = checkpointMin
		return c.wait
	}
	// The wait at most doubles from one look to the next: a lull is no
	// proof that the stream has ended.
	rate := float64(grown) / took.Seconds()
	wait := time.Duration(passFrames / rate * float64(time.Second))
	wait = min(max(wait, checkpointMin), 2*c.wait, checkpointMax)
	if float64(frames)+rate*wait.Seconds() >= restartFrames {
		return c.finish(ctx) // the WAL would hold restartFrames by the next look
	}
	c.wait = wait
	return wait
}

// finish has the write connection copy what is left of the WAL, so that
// the next commit starts it again.
func (c *checkpointer) finish(ctx context.Context) time.Duration {
	pass(ctx, c.write)
	c.frames, c.at, c.wait = 0, time.Now(), checkpointMin
	return c.wait
}

// pass runs a PASSIVE checkpoint on db and returns the frames in the WAL.
func pass(ctx context.Context, db *sql.DB) (int, error) {
	var busy, frames, copied int
	err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, err
}

// finalCheckpoint copies the whole WAL into the database file at path on
// the write connection, once nothing else writes. SQLite's own checkpoint
// when the last connection closes promises no more than it can: it runs
// only if that connection gets an exclusive lock on the file, it stops
// at an interrupt left over from a cancelled statement (the checkpointer
// cancels its last pass on this connection when Close stops it), and it
// reports neither. A FULL checkpoint waits the busy timeout for readers;
// starting a statement clears a leftover interrupt. One that stays busy
// is no error: another connection still has the database (a serve beside
// a `bulletin import`, or a read that outlasted the busy timeout), the
// -wal keeps the commits, and that connection's checkpoints or close copy
// them. It is logged at debug level, for whoever wonders why the file
// alone lacks them.
func finalCheckpoint(write *sql.DB, path string) error {
	var busy, frames, copied int
	err := write.QueryRow(`PRAGMA wal_checkpoint(FULL)`).Scan(&busy, &frames, &copied)
	if err != nil {
		return fmt.Errorf("close database: checkpoint: %w", err)
	}
	if busy != 0 || copied < frames {
		slog.Debug("close database: another connection still has it; its -wal keeps the commits not yet in the file",
			"path", path, "frames", frames, "copied", copied)
	}
	return nil
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	c.stop()
	<-c.done
	return c.conn.Close()
}
