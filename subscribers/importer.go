package subscribers

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// ImportOptions say where imported subscribers go.
type ImportOptions struct {
	List string
	// Confirmed imports new subscribers as confirmed (the publisher has
	// their consent) and confirms pending ones; otherwise new ones are
	// pending and get a confirmation mail once serve runs.
	Confirmed bool
	// BatchSize is the rows per transaction (default 1000).
	BatchSize int
	// Progress, when set, is called after each batch with the rows read.
	Progress func(rows int)
	// Confirms, when set, gets the confirmations of each batch's new
	// pending readers as soon as the batch commits, so they go out within
	// seconds. Without it, or when it fails, the reconciler queues them.
	Confirms queue.Enqueuer
}

// A LineNote is a row of the file that was not imported, and why.
type LineNote struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// An ImportReport counts what an import did with each row.
type ImportReport struct {
	Added, Updated, Skipped, Invalid int
	// Pending counts added subscribers waiting for a confirmation mail,
	// Queued those of them whose confirmation is on the queue already.
	Pending, Queued int
	// QueueErr is why the rest were not queued; the reconciler queues
	// them within minutes.
	QueueErr     error `json:"-"`
	SkippedLines []LineNote
	InvalidLines []LineNote
}

// importRow is one valid row on its way into the database.
type importRow struct {
	line        int
	email, name string
	key         string
}

// Import reads subscribers from CSV and adds them to a list. The first row
// may be a header naming the email and name columns; without one, email
// is the first column and name the second. Bad rows are reported by line
// and the good ones imported all the same. Erased addresses, people who
// unsubscribed or bounced, and repeats are skipped, never revived.
func (s *Store) Import(ctx context.Context, r io.Reader, opt ImportOptions) (*ImportReport, error) {
	list, err := s.ListBySlug(ctx, opt.List)
	if err != nil {
		return nil, err
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	erased, err := s.erasedHashes(ctx)
	if err != nil {
		return nil, err
	}
	imp := &importer{store: s, list: list.ID, opt: opt, erased: erased, seen: map[string]int{}, rep: &ImportReport{}}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return imp.rep, imp.run(ctx, cr)
}

type importer struct {
	store    *Store
	list     int64
	opt      ImportOptions
	erased   map[string]bool
	seen     map[string]int // email key → first line
	rep      *ImportReport
	emailCol int
	nameCol  int
	rows     int
	// confirms are the confirmations of the batch in hand, queued once
	// it commits.
	confirms []queue.ConfirmItem
}

func (imp *importer) run(ctx context.Context, cr *csv.Reader) error {
	imp.emailCol, imp.nameCol = 0, 1
	batch := make([]importRow, 0, imp.opt.BatchSize)
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			imp.rows++
			imp.invalid(perr.StartLine, "the CSV is malformed here: "+perr.Err.Error())
			continue
		} else if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first && imp.header(rec) {
			continue
		}
		imp.rows++
		if row, ok := imp.check(line, rec); ok {
			batch = append(batch, row)
		}
		if len(batch) == cap(batch) {
			if err := imp.flush(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return imp.flush(ctx, batch)
}

// header reads a header row, reporting whether rec was one.
func (imp *importer) header(rec []string) bool {
	email, name := -1, -1
	for i, h := range rec {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "email", "e-mail", "email address":
			email = i
		case "name", "full name":
			name = i
		}
	}
	if email < 0 {
		return false
	}
	imp.emailCol, imp.nameCol = email, name
	return true
}

// check normalises one record, counting it as invalid or skipped when it
// cannot be imported.
func (imp *importer) check(line int, rec []string) (importRow, bool) {
	if imp.emailCol >= len(rec) {
		imp.invalid(line, "no email column")
		return importRow{}, false
	}
	email, msg := NormalizeEmail(fromTextCell(rec[imp.emailCol]))
	if msg != "" {
		imp.invalid(line, "email: "+msg)
		return importRow{}, false
	}
	var name string
	if imp.nameCol >= 0 && imp.nameCol < len(rec) {
		if name, msg = NormalizeName(fromTextCell(rec[imp.nameCol])); msg != "" {
			imp.invalid(line, "name: "+msg)
			return importRow{}, false
		}
	}
	key := EmailKey(email)
	if first, ok := imp.seen[key]; ok {
		imp.skip(line, fmt.Sprintf("repeats line %d", first))
		return importRow{}, false
	}
	imp.seen[key] = line
	if imp.erased[imp.store.EmailHash(email)] {
		imp.skip(line, "this address was erased at its owner's request")
		return importRow{}, false
	}
	return importRow{line: line, email: email, name: name, key: key}, true
}

// maxNotes bounds the lines a report lists per kind; the counts stay exact.
const maxNotes = 1000

func (imp *importer) invalid(line int, reason string) {
	imp.rep.Invalid++
	if len(imp.rep.InvalidLines) < maxNotes {
		imp.rep.InvalidLines = append(imp.rep.InvalidLines, LineNote{line, reason})
	}
}

func (imp *importer) skip(line int, reason string) {
	imp.rep.Skipped++
	if len(imp.rep.SkippedLines) < maxNotes {
		imp.rep.SkippedLines = append(imp.rep.SkippedLines, LineNote{line, reason})
	}
}

func (imp *importer) flush(ctx context.Context, batch []importRow) error {
	if len(batch) > 0 {
		if err := imp.store.importBatch(ctx, imp, batch); err != nil {
			return fmt.Errorf("import rows %d–%d: %w", batch[0].line, batch[len(batch)-1].line, err)
		}
		imp.queueConfirms(ctx)
	}
	if imp.opt.Progress != nil {
		imp.opt.Progress(imp.rows)
	}
	return nil
}

func (s *Store) erasedHashes(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT email_hash FROM erasures`)
	if err != nil {
		return nil, fmt.Errorf("read erasures: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out[h] = true
	}
	return out, rows.Err()
}

// queueConfirms hands the committed batch's confirmations to the queue, a
// hundred a task. After a failure it queues no more: the rows stay flagged
// and the reconciler takes them.
func (imp *importer) queueConfirms(ctx context.Context) {
	items := imp.confirms
	imp.confirms = nil
	if imp.opt.Confirms == nil || imp.rep.QueueErr != nil {
		return
	}
	for len(items) > 0 {
		chunk := items[:min(100, len(items))]
		items = items[len(chunk):]
		task, err := queue.NewConfirmTask(chunk)
		if err == nil {
			err = queue.EnqueueUnique(ctx, imp.opt.Confirms, task)
		}
		if err != nil {
			imp.rep.QueueErr = fmt.Errorf("queue confirmations: %w", err)
			return
		}
		imp.rep.Queued += len(chunk)
	}
}
