package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// errFull is what a user is told when a write fails for a full disk
// (SQLITE_FULL): the server cannot store their signup, edit or token use
// until space is freed, which they cannot fix but can wait out. The web
// layer answers it 503 with Retry-After; the SQL text stays in the log.
var errFull = bulletin.Errorf(bulletin.EUNAVAILABLE,
	"The server cannot store anything right now (its disk is full). Please try again later.")

// fullFor is how long a write that failed for a full disk keeps Ping
// failing when no write succeeds after it. A later commit clears it at
// once; the bound keeps a server that readiness took out of rotation, and
// that so gets no more writes, from staying out after space is freed.
const fullFor = time.Minute

// A fullError is a write's error that is SQLITE_FULL: its text is the
// driver's, for the log, and it is also errFull, for the user.
type fullError struct{ err error }

func (e *fullError) Error() string   { return e.err.Error() }
func (e *fullError) Unwrap() []error { return []error{e.err, errFull} }

// isFull reports whether err is SQLite's "database or disk is full".
func isFull(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.Code == sqlite3.ErrFull
}

// noteWrite records how a write transaction ended, for Ping, and returns
// err, marked as errFull when the disk was full. Only a commit that
// changed a row (wrote) says the disk takes writes again: one that
// changed nothing wrote nothing to it.
func (db *DB) noteWrite(wrote bool, err error) error {
	switch {
	case err == nil && wrote:
		db.fullAt.Store(0)
	case isFull(err):
		db.fullAt.Store(time.Now().UnixNano())
		return &fullError{err}
	}
	return err
}

// changes returns a function that reports whether q's transaction has
// changed a row since changes was called. It asks SQLite only while a
// write is noted as failed for a full disk, the one time noteWrite needs
// to know; otherwise it costs nothing and reports false.
func (db *DB) changes(ctx context.Context, q Querier) func() bool {
	if db.fullAt.Load() == 0 {
		return func() bool { return false }
	}
	total := func() (n int64) {
		q.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&n)
		return n
	}
	before := total()
	return func() bool { return total() != before }
}

// checkWritable fails while the last write transaction failed for a
// full disk, within fullFor.
func (db *DB) checkWritable() error {
	at := db.fullAt.Load()
	if at == 0 || time.Since(time.Unix(0, at)) >= fullFor {
		return nil
	}
	return fmt.Errorf("database not writable: a write failed %s ago for a full disk and none has succeeded since", time.Since(time.Unix(0, at)).Round(time.Second))
}
