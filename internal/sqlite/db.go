// Package sqlite opens Bulletin's database: one SQLite file in WAL mode, with
// a single-connection pool for writes (SQLite has one writer, and a pool of
// writers only fights in the busy handler) and a wider pool for reads.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// A DB is an open Bulletin database.
type DB struct {
	// Write is the only pool that changes the database. It has one
	// connection, so writers queue in Go rather than in SQLite's busy loop.
	Write *sql.DB
	// Read serves queries; WAL lets it read while Write commits.
	Read *sql.DB
	// Path is the database file.
	Path string
	// Applied are the migrations this Open applied, in order: none when
	// the schema was up to date already.
	Applied []string
	// Created says this Open found no migration recorded: a new
	// database, which Applied takes from nothing to the present schema.
	Created bool

	ckpt      *checkpointer
	closeOnce sync.Once
	// fullAt is when the last write transaction failed for a full disk
	// (Unix nanoseconds), 0 once one has succeeded since: see noteWrite.
	fullAt atomic.Int64
}

// pragmas go in the DSN so that every pooled connection gets them.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	// Keep prepared statements per connection: the hot paths (fan-out,
	// results) run the same few statements thousands of times, and
	// parsing them again each time cost more than running them.
	q.Set("_stmt_cache_size", "64")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date, logging what it does to the file on the way (a one-time
// rewrite) through slog's default logger.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenLog(ctx, path, slog.Default())
}

// OpenLog is Open with the logger of the command that opens the file, so
// that its lines read as the command's others do.
func OpenLog(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := createDatabaseFile(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w, err := sql.Open(writeDriver, dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{Write: w, Path: path}
	if err := whileBusy(ctx, db.notOthers); err != nil {
		w.Close()
		return nil, damaged(path, err)
	}
	if err := whileBusy(ctx, func() error { return db.incrementalVacuum(ctx, log) }); err != nil {
		w.Close()
		return nil, damaged(path, err)
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, damaged(path, err)
	}
	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxIdleTime(5 * time.Minute)
	db.Read = r
	if db.ckpt, err = startCheckpointer(path, w); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// setUpWait bounds how long Open waits for another process setting up the
// same new file.
const setUpWait = 10 * time.Second

// whileBusy runs step again, for up to setUpWait, while it fails with
// SQLITE_BUSY. Commands started together on a new data folder (serve and
// an import, say) race to make the file a WAL database and to set its
// vacuum mode; while one does, SQLite answers the other's first statement
// "database is locked" at once, without its busy handler, and the command
// used to stop on that.
func whileBusy(ctx context.Context, step func() error) error {
	deadline := time.Now().Add(setUpWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := step()
		var e sqlite3.Error
		if err == nil || !errors.As(err, &e) || e.Code != sqlite3.ErrBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// createDatabaseFile creates the database file at path, empty and
// readable by its owner only, when there is none. It holds every reader's
// address and the webhooks' secrets, as a backup does (see Backup), and
// SQLite would create it 0644 whatever the umask left. SQLite's unix VFS
// gives the -wal and -shm the database file's mode, so they are private
// too. An existing file keeps the mode it has: its owner may have opened
// it to a group on purpose (a backup agent, a read-only replica), and
// changing that at each start would break their set-up without a word.
func createDatabaseFile(path string) error {
	if err := createPrivate(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

// Close stops the checkpointer, closes both pools and leaves every
// commit in the database file itself, so that a copy of the file alone
// misses none. When a reader keeps the last commits in the WAL past the
// busy timeout, Close says so; they are not lost, the WAL keeps them. A
// second Close does nothing.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() { err = db.close() })
	return err
}

func (db *DB) close() error {
	var errs []error
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.close())
	}
	if db.Read != nil {
		errs = append(errs, db.Read.Close())
	}
	if db.Write != nil {
		errs = append(errs, finalCheckpoint(db.Write, db.Path), db.Write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query, and that its last write
// did not fail for a full disk: reads go on then, but no signup, edit or
// send result can be stored, and a monitor asking /readyz kept hearing
// "ok" while every commit failed.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.Read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return db.checkWritable()
}

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise. A failure for a full disk is also errFull.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.noteWrite(db.tx(ctx, fn))
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (wrote bool, err error) {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	changed := db.changes(ctx, tx)
	if err := fn(tx); err != nil {
		return false, err
	}
	wrote = changed()
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return wrote, nil
}

// Now returns the current time as the database stores it: UTC, to the
// microsecond, so stored times compare as text.
func Now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// notOthers refuses a file that holds another program's tables and no
// Bulletin's: a BULLETIN_DATA pointed at the wrong folder, or a
// bulletin.db put there by hand. Open went on to rewrite it (VACUUM)
// and add Bulletin's tables to it, without a word.
func (db *DB) notOthers() error {
	rows, err := db.Write.Query(`SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if name == "migrations" {
			return nil
		}
		names = append(names, strconv.Quote(name))
	}
	if err := rows.Err(); err != nil || len(names) == 0 {
		return err
	}
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	return fmt.Errorf("%s is not a Bulletin database: it holds another program's tables (%s) and none of Bulletin's. "+
		"Point BULLETIN_DATA at a folder of Bulletin's own (a new, empty one to start afresh)", db.Path, strings.Join(names, ", "))
}

// damaged says what to do about a file SQLite cannot read as a
// database, naming it: "read auto_vacuum: file is not a database" named
// neither the file nor a way out. Any other error is given back as it is.
func damaged(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return fmt.Errorf("%s: %w: restore it from a backup (bulletin restore FILE, with serve stopped), "+
			"or move it away and start with a new one", path, explain(err))
	}
	return err
}
