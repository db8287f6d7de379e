package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// migrate runs, in name order, every embedded migration not yet recorded in
// the migrations table, each in its own transaction with its record.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name TEXT PRIMARY KEY, applied_at DATETIME NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	if err := db.refuseNewer(ctx, names); err != nil {
		return err
	}
	for _, name := range names {
		applied, err := db.migrateFile(ctx, name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if applied {
			db.Applied = append(db.Applied, strings.TrimSuffix(strings.TrimPrefix(name, "migration/"), ".sql"))
		}
	}
	return nil
}

// refuseNewer fails when the migrations table records a migration this
// binary does not have (names, the embedded ones): a newer Bulletin
// upgraded the file, and this one would run on a schema it does not
// know (a rollback by swapping the binary back) and say it was up to
// date. The file is left as it is.
func (db *DB) refuseNewer(ctx context.Context, names []string) error {
	recorded, err := Column[string](db.Write.QueryContext(ctx, `SELECT name FROM migrations ORDER BY name`))
	if err != nil {
		return fmt.Errorf("list applied migrations: %w", err)
	}
	var unknown []string
	for _, r := range recorded {
		if _, found := slices.BinarySearch(names, r); !found {
			unknown = append(unknown, strings.TrimSuffix(strings.TrimPrefix(r, "migration/"), ".sql"))
		}
	}
	db.Created = len(recorded) == 0
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%s was upgraded by a newer Bulletin: it has migrations this one does not know (%s), "+
		"so this one cannot run on it: run the newer bulletin, or, to go back to this version, restore the "+
		"backup taken before the upgrade (bulletin restore FILE, with serve stopped)",
		db.Path, strings.Join(unknown, ", "))
}

// foreignKeysOff is the first line of a migration that rebuilds a table
// others refer to. SQLite's procedure for that turns foreign keys off, since
// dropping the old table would otherwise delete or detach every row that
// refers to it, and checks them all before the commit.
const foreignKeysOff = "-- bulletin: foreign keys off\n"

// migrateFile applies migration name unless it is recorded, and reports
// whether it did.
func (db *DB) migrateFile(ctx context.Context, name string) (applied bool, err error) {
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return false, err
	}
	// The pragma is a connection's and is a no-op inside a transaction:
	// it is set on the one write connection, around the transaction.
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	fkOff := strings.HasPrefix(string(buf), foreignKeysOff)
	if fkOff {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return false, err
		}
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); err != nil {
				// A write connection without foreign keys must not
				// serve anything: drop it, and the pool opens a new
				// one from the DSN, which turns them on.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return false, err
	} else if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return false, err
	}
	if fkOff {
		if err := checkForeignKeys(ctx, tx); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, Now()); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return true, nil
}

// checkForeignKeys fails when a row refers to one that does not exist.
func checkForeignKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("a row of %s (rowid %d) refers to a missing row of %s", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// Migrations returns the names of the migrations applied so far, in order.
func (db *DB) Migrations(ctx context.Context) ([]string, error) {
	names, err := Column[string](db.Read.QueryContext(ctx, `SELECT name FROM migrations ORDER BY name`))
	if err != nil {
		return nil, fmt.Errorf("list applied migrations: %w", err)
	}
	return names, nil
}
