package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// A Querier runs statements: a *sql.Tx, or the connection ConnTx hands
// its function.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ConnTx runs fn in a write transaction as Tx does, on the write
// connection itself: BEGIN IMMEDIATE, fn's statements and COMMIT, or
// ROLLBACK when fn fails or panics. It is for the hot paths that commit
// thousands of times a second (the signups' group commit, the claims of
// confirmation mails): database/sql starts a goroutine for every *sql.Tx
// to watch its context and wakes it at the commit, 12–20 µs a transaction
// on a 2-core guest (BenchmarkSignupCommit in subscribers). Nothing
// watches ctx here, so callers pass one that is not cancelled
// mid-transaction; a statement that fails for ctx fails fn and the
// transaction is rolled back all the same. A connection that cannot roll
// back is dropped, never handed back to the pool inside a transaction.
// A failure for a full disk is also errFull, as with Tx.
func (db *DB) ConnTx(ctx context.Context, fn func(q Querier) error) error {
	return db.noteWrite(db.connTx(ctx, fn))
}

func (db *DB) connTx(ctx context.Context, fn func(q Querier) error) (wrote bool, err error) {
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	done := false
	defer func() {
		if done || !inTransaction(conn) {
			return
		}
		// fn failed, COMMIT failed, or fn panicked: undo, on a context
		// of its own so that the undo itself cannot be cancelled.
		if _, rbErr := conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); rbErr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
	}()
	changed := db.changes(ctx, conn)
	if err := fn(conn); err != nil {
		return false, err
	}
	wrote = changed()
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `COMMIT`); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	done = true
	return wrote, nil
}

// inTransaction reports whether conn is inside a transaction. A COMMIT
// that fails for a full disk or an I/O error may have rolled the
// transaction back already, and a ROLLBACK then only adds "cannot
// rollback - no transaction is active" to the error that matters. When
// it cannot tell, it says yes, and the ROLLBACK is tried.
func inTransaction(conn *sql.Conn) bool {
	in := true
	conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			in = !c.AutoCommit()
		}
		return nil
	})
	return in
}
