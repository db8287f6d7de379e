package sqlite

import (
	"context"
	"fmt"
	"log/slog"
)

// autoVacuumIncremental is PRAGMA auto_vacuum's value for INCREMENTAL.
const autoVacuumIncremental = 2

// incrementalVacuum makes the file one that gives freed pages back on
// request (IncrementalVacuum), which the delivery fold relies on. A new
// database gets it before its first table; an existing
// one needs a full VACUUM once, which rewrites the file (it needs as much
// free disk as the file's size for a moment, and time in proportion).
// That VACUUM is tried at open, before anything else uses the file; when
// another process holds it, the database works as before and the next
// open tries again.
func (db *DB) incrementalVacuum(ctx context.Context, log *slog.Logger) error {
	var mode, tables int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	if mode == autoVacuumIncremental {
		return nil
	}
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&tables); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if _, err := db.Write.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return fmt.Errorf("set auto_vacuum: %w", err)
	}
	// In WAL mode even a new file has its header written by now, so the
	// setting takes a VACUUM, instant on an empty file.
	if tables > 0 {
		var pages int64
		db.Write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages)
		log.Info("switching the database to incremental vacuum: rewriting it once", "path", db.Path, "pages", pages)
	}
	if _, err := db.Write.ExecContext(ctx, `VACUUM`); err != nil {
		log.Warn("database not switched to incremental vacuum; the next start tries again", "err", err)
	}
	return nil
}

// VacuumStats are the file's page figures (PRAGMA page_count,
// freelist_count, page_size).
type VacuumStats struct {
	Pages, FreePages, PageSize int64
}

// Bytes is the size of the file's pages.
func (v VacuumStats) Bytes() int64 { return v.Pages * v.PageSize }

// PageStats returns the file's page figures.
func (db *DB) PageStats(ctx context.Context) (VacuumStats, error) {
	var v VacuumStats
	err := db.Write.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count()),
		(SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())`).Scan(&v.Pages, &v.FreePages, &v.PageSize)
	if err != nil {
		return v, fmt.Errorf("page stats: %w", err)
	}
	return v, nil
}

// IncrementalVacuum gives back to the file system at most pages free
// pages, and returns how many it gave back. Each call holds the write
// lock only for its own pages, so a caller frees a large free list in
// small steps between other writers. The file shrinks at the next
// checkpoint of the WAL.
func (db *DB) IncrementalVacuum(ctx context.Context, pages int) (int, error) {
	before, err := db.PageStats(ctx)
	if err != nil {
		return 0, err
	}
	// Each step of the statement frees one page: Exec would step it once.
	rows, err := db.Write.QueryContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, max(pages, 1)))
	if err != nil {
		return 0, fmt.Errorf("incremental vacuum: %w", err)
	}
	for rows.Next() {
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("incremental vacuum: %w", err)
	}
	after, err := db.PageStats(ctx)
	if err != nil {
		return 0, err
	}
	return int(before.FreePages - after.FreePages), nil
}

// Checkpoint copies the WAL into the file and truncates the WAL, so that
// the file's size shows what a vacuum gave back. It waits for readers as
// long as the busy timeout and leaves the WAL as it is past that.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.ckpt != nil {
		db.ckpt.mu.Lock()
		defer db.ckpt.mu.Unlock()
	}
	rows, err := db.Write.QueryContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
