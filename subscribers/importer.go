package subscribers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// ImportOptions say where imported subscribers go.
type ImportOptions struct {
	// List, when set, is a list (slug) every imported reader joins, besides
	// those of the file's lists column. A file without that column needs it.
	List string
	// Confirmed vouches for the readers' consent: a row whose status is
	// confirmed, or that has no status, is imported as confirmed (and a
	// stored pending reader confirmed); otherwise those rows are pending
	// and get a confirmation mail. A row's pending, unsubscribed or bounced
	// status is kept either way.
	Confirmed bool
	// OverwriteNames replaces a stored reader's name with the file's when
	// the file's cell is not empty. Without it an import fills in the name
	// only of a reader who has none: one they typed at signup or on their
	// preferences page is theirs, which an old file from another service
	// does not undo, and the report notes the file's other name as not
	// applied. An empty cell never erases a name either way.
	OverwriteNames bool
	// KeptNameHint ends the report's note on a stored name kept: how to
	// have the file's replace it, in the words of the caller (the
	// command's flag, the form's box). None when empty.
	KeptNameHint string
	// BatchSize is the rows per transaction (default 1000).
	BatchSize int
	// Progress, when set, is called after each batch with the rows read.
	Progress func(rows int)
	// Confirms, when set, gets the confirmations of each batch's new
	// pending readers as soon as the batch commits, so they go out within
	// seconds. Without it, or when it fails, the reconciler queues them.
	Confirms queue.Enqueuer
}

// A LineNote is a row of the file that was not imported, and why; or one
// that was, with what it asked for that the import did not do.
type LineNote struct {
	Line int `json:"line"`
	// Email says whose row it is, so the operator need not count lines:
	// the row's address on a skipped or noted line, and on an invalid
	// one the email cell as the file has it (which may be no address at
	// all), cut to maxNoteEmail characters. Empty when the line has no
	// email cell, or is not CSV.
	Email  string `json:"email,omitempty"`
	Reason string `json:"reason"`
}

// An ImportReport counts what an import did with each row. Every line of
// the file is counted once: SepLine, Header, Blank, Continued, or the one
// row it starts, as Added, Updated, Merged, Skipped or Invalid; these add
// up to Lines.
type ImportReport struct {
	Added, Updated, Skipped, Invalid int
	// Merged counts the repeats of an address whose lists its first
	// line's reader took (see repeat): not skipped, though they store no
	// row of their own. MergedLines say what each added and what of it
	// was not used.
	Merged      int
	MergedLines []LineNote
	// Lines counts the lines of the file, Blank its empty ones, those
	// of spaces and tabs only and those whose every cell is so (",,,",
	// nothing to import), and Continued the
	// lines that carry on a quoted cell of the line before (a note of two
	// lines): their row is counted on its first line. Header is whether
	// the first row named the columns.
	Lines, Blank, Continued int
	Header                  bool
	// SepLine is whether the file's first line is Excel's "sep=;",
	// which says what separates the cells: it is counted as the header is.
	SepLine bool
	// Pending counts added subscribers waiting for a confirmation mail.
	// Asked counts stored readers given lists that wait for their click on
	// a new confirmation mail naming them: a pending reader put on more
	// lists, or a confirmed one on lists they are not on, by an import
	// that does not vouch for their consent (see ImportOptions.Confirmed).
	// Suppressed counts those of both whose address is suppressed: they are
	// mailed nothing. Queued counts the confirmations on the queue already,
	// each a mail that goes.
	Pending, Asked, Suppressed, Queued int
	// QueueErr is why the rest were not queued; the reconciler queues
	// them within minutes.
	QueueErr     error `json:"-"`
	SkippedLines []LineNote
	InvalidLines []LineNote
	// Noted counts the rows imported with a note, such as a stored
	// reader updated whose row names a list they left, which they are not
	// put back on; NotedLines are their notes.
	Noted      int
	NotedLines []LineNote
	// UnknownLists are the list slugs of the file that name no list, in
	// the order met; their lines are invalid.
	UnknownLists []string
	// IgnoredColumns are the header's columns the import does not read,
	// as the file names them, in the file's order: their cells are not
	// stored anywhere.
	IgnoredColumns []string
	// Interrupted says the import stopped early, its context done: the
	// report counts the lines up to Lines, each row of which is stored
	// or not as it says; the lines after it were not read.
	Interrupted bool
}

// NoReaders reports whether the file had its line of column names and
// no row under it (blank lines at most): an export of an empty list, or
// the header of a file whose rows were lost. Its counts are all zeros,
// which alone read as if something had gone wrong unnoticed.
func (r *ImportReport) NoReaders() bool {
	return r.Header && r.Added+r.Updated+r.Merged+r.Skipped+r.Invalid == 0
}

// clone is a copy of r whose lists of lines are its own: a batch inserts
// notes among them in line order (insertNote), which would show through
// a copy that shares them.
func (r *ImportReport) clone() *ImportReport {
	c := *r
	c.MergedLines, c.SkippedLines, c.InvalidLines = slices.Clone(r.MergedLines), slices.Clone(r.SkippedLines), slices.Clone(r.InvalidLines)
	c.NotedLines, c.UnknownLists, c.IgnoredColumns = slices.Clone(r.NotedLines), slices.Clone(r.UnknownLists), slices.Clone(r.IgnoredColumns)
	return &c
}

// importRow is one valid row on its way into the database.
type importRow struct {
	line        int
	email, name string
	key         string
	// repeatOf is the line this row repeats, its address's first, when
	// that line was stored with an earlier batch: the row is then only
	// reported, with what it asked that was not applied (repeatStored).
	repeatOf int
	// merged are the later lines of this row's address whose lists it
	// took (repeat), reported once the batch meets the database.
	merged []mergedRepeat
	// status is what the row is stored as when new: the file's, with
	// confirmed only when the import vouches for consent.
	status string
	// freq is the line's frequency, daily when its cell is empty;
	// freqGiven says the cell was not, for the note on a stored reader,
	// whose frequency an import leaves as it is (updateExisting).
	freq      string
	freqGiven bool
	lists     []int64
	attrs     string // JSON; "" when the file gives none
	createdAt *time.Time
	confirmed *time.Time
}

// Import reads subscribers from CSV and adds them to their lists. The
// first row may be a header naming the columns export writes (email, name,
// lists, status, attributes, frequency, created_at, confirmed_at), of
// which only email is required; without one, email is the first column
// and name the second. A first row that names columns but no email column
// stops the import before any row (ErrNoEmailColumn), as does a file
// that is not CSV text (a workbook, UTF-16; see openImportFile) or has no
// line to import. Bad rows are reported by line and the good ones
// imported all the same. Erased addresses, people who unsubscribed or
// bounced, and repeats are skipped, never revived; a repeat's lists join
// its address's first line's while that line is in the batch in hand
// (see repeat).
func (s *Store) Import(ctx context.Context, r io.Reader, opt ImportOptions) (*ImportReport, error) {
	lists, err := s.Lists(ctx)
	if err != nil {
		return nil, err
	}
	bySlug := make(map[string]int64, len(lists))
	for _, l := range lists {
		bySlug[l.Slug] = l.ID // lower case, as List.Validate makes every slug
	}
	var list int64
	if opt.List != "" {
		if list = bySlug[SlugKey(opt.List)]; list == 0 {
			return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no list %q.", opt.List)
		}
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	erased, err := s.erasedHashes(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(lists))
	for _, l := range lists {
		names[l.ID] = l.Name
	}
	imp := &importer{store: s, list: list, lists: bySlug, names: names, opt: opt, erased: erased, seen: map[string]int{},
		batched: map[string]int{}, unknown: map[string]bool{}, rep: &ImportReport{}}
	rr, err := imp.open(r)
	if err != nil {
		return imp.rep, err
	}
	err = imp.run(ctx, rr)
	imp.rep.Lines, imp.rep.Blank, imp.rep.Continued = rr.consumed(), rr.blank, rr.continued
	if err == nil && imp.rows == 0 && !imp.rep.Header {
		return imp.rep, bulletin.Errorf(bulletin.EINVALID, "The file is empty: it has no line to import. Check that it is the file of your readers, saved with a line per reader.")
	}
	if errors.Is(err, errInterrupted) {
		imp.rep.Interrupted = true
		err = fmt.Errorf("import interrupted after line %d: %w", imp.rep.Lines, context.Cause(ctx))
	}
	// A line is skipped as it is read (a second line for one address) or
	// when its batch meets the database (a stored reader), each kind in
	// the file's order: the report lists them together by line.
	skipped := append(imp.rep.SkippedLines, imp.skippedStored...)
	slices.SortStableFunc(skipped, func(a, b LineNote) int { return cmp.Compare(a.Line, b.Line) })
	imp.rep.SkippedLines = skipped[:min(len(skipped), maxNotes)]
	return imp.rep, err
}

// A BatchError is Import's error when a batch of rows could not be
// stored, a full disk's most often: the batch's transaction stored none
// of its lines, First to Last, and the import read no further. The rows of
// the lines before First were stored, Stored of them; none, when it is 0.
type BatchError struct {
	First, Last int // lines of the file
	Stored      int
	Err         error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("import rows %d–%d: %v", e.First, e.Last, e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

// ErrNoListsColumn is (wrapped in) Import's error for a file with no
// lists column imported with no list (ImportOptions.List) to put its
// readers on. Its message is the *bulletin.Error's it wraps too.
var ErrNoListsColumn = errors.New("no lists column")

// NeedsList reports whether Import, given no list, would stop at the
// file read from r for want of one (ErrNoListsColumn): its first line of
// CSV names an email column, or is a reader's row, and no lists column.
// It reads no further than that line, so a form can say so before the
// import starts. A file Import would refuse for another reason (not CSV,
// no email column, empty) does not need a list: Import says what it
// needs.
func NeedsList(r io.Reader) bool {
	imp, rr := probe(r)
	if rr == nil {
		return false
	}
	rec, ok := imp.nextRecord(rr)
	if !ok {
		return false
	}
	_, err := imp.firstLine(rec)
	return errors.Is(err, ErrNoListsColumn)
}

// StatusColumn reports whether the file read from r, or its start, has a
// line of column names that names a status column: only then may it mark
// readers confirmed (ConfirmedRows). found is false when r holds no line
// Import would read as CSV, only lines it passes over: a start of a file
// cut there does not say. A command reading a pipe looks at the first
// lines alone, and reads the whole file first unless they say there is no
// status column.
func StatusColumn(r io.Reader) (status, found bool) {
	imp, rr := probe(r)
	if rr == nil {
		return false, false
	}
	return imp.statusHeader(rr)
}

// statusHeader reads the first record of rr and says whether it is a line
// of column names with a status column; found is false when rr held none.
func (imp *importer) statusHeader(rr *recordReader) (status, found bool) {
	rr.startsRow = imp.startsRow
	rec, ok := imp.nextRecord(rr)
	if !ok {
		return false, false
	}
	header, err := imp.header(rec)
	return err == nil && header && imp.cols.status >= 0, true
}

// probe opens the file read from r as Import does, for a look before
// the import: the reader is nil when Import would refuse it as a whole.
func probe(r io.Reader) (*importer, *recordReader) {
	imp := &importer{rep: &ImportReport{}, seen: map[string]int{}, unknown: map[string]bool{}}
	rr, err := imp.open(r)
	if err != nil {
		return imp, nil
	}
	imp.cols = defaultColumns
	return imp, rr
}

// nextRecord reads the next record of rr, passing over the lines that
// are no CSV record, as run counts them; ok is false at the file's end
// or a read error.
func (imp *importer) nextRecord(rr *recordReader) (rec []string, ok bool) {
	for {
		rec, _, err := rr.Read()
		var rerr *recordError
		if errors.As(err, &rerr) {
			imp.rows++ // as run counts it: the next line is no header
			continue
		}
		return rec, err == nil
	}
}

// ConfirmedRows counts the rows of the file read from r whose status
// column says confirmed, as an export writes its confirmed readers. An
// import that does not vouch for their consent (ImportOptions.Confirmed)
// stores them pending and mails each a confirmation, which a publisher
// moving an export to another install does not expect: a caller counts
// them first, before anything is stored, to ask which was meant. A file
// Import refuses as a whole, or that has no status column, has none.
func ConfirmedRows(r io.Reader) int {
	imp, rr := probe(r)
	if rr == nil {
		return 0
	}
	if status, _ := imp.statusHeader(rr); !status {
		return 0
	}
	n := 0
	for {
		rec, ok := imp.nextRecord(rr)
		if !ok {
			return n
		}
		if strings.EqualFold(cell(rec, imp.cols.status), StatusConfirmed) {
			n++
		}
	}
}

// open reads the start of the import file: its byte-order mark, line
// ends, "sep=" line and what separates its cells. It returns the reader
// of the file's records.
func (imp *importer) open(r io.Reader) (*recordReader, error) {
	f, err := openImportFile(r)
	if err != nil {
		return nil, err
	}
	comma := f.comma
	if comma == 0 {
		if comma, err = sniffComma(f.br); err != nil {
			return nil, err
		}
	}
	imp.comma = comma
	rr := newRecordReader(f.br, comma)
	if f.sepLine {
		rr.lines, imp.rep.SepLine = 1, true // line numbers are the file's
	}
	return rr, nil
}

// defaultColumns are a file's columns until its header says otherwise:
// without one, email is the first column and name the second.
var defaultColumns = columns{email: 0, name: 1, lists: -1, status: -1, attributes: -1, frequency: -1, created: -1, confirmed: -1,
	first: -1, last: -1}

// firstLine reads the file's first line of CSV, reporting whether it was
// the header. A file with no lists column stops here without a list to
// add its readers to (ErrNoListsColumn), before any row is stored.
func (imp *importer) firstLine(rec []string) (bool, error) {
	header, err := imp.header(rec)
	if err != nil {
		return false, err
	}
	// Before the lists column is asked for: a file that lost its header
	// line has one, and the missing header is what to fix.
	if n := filledColumns(rec); !header && n > headerlessWidth {
		return false, headerlessColumns(n)
	}
	if imp.list == 0 && imp.cols.lists < 0 {
		return false, fmt.Errorf("%w: %w", ErrNoListsColumn,
			bulletin.Errorf(bulletin.EINVALID, "The file has no lists column: choose a list to add its readers to."))
	}
	return header, nil
}

type importer struct {
	store   *Store
	list    int64            // opt.List's id, or 0
	lists   map[string]int64 // every list by slug
	names   map[int64]string // every list's name by id, for the report
	opt     ImportOptions
	erased  map[string]bool
	seen    map[string]int // email key → first line
	unknown map[string]bool
	rep     *ImportReport
	// skippedStored are the lines skipped for a stored reader (skipStored).
	skippedStored []LineNote
	cols          columns
	// named is how many cells the header has, 0 without one: a row with
	// more that hold something is refused (check).
	named int
	comma rune // what separates the cells
	rows  int
	// batched are the rows of the batch in hand, by email key → index:
	// a repeat of one of them adds its lists to it (repeat).
	batched map[string]int
	// confirms are the confirmations of the batch in hand, queued once
	// it commits.
	confirms []queue.ConfirmItem
	// stored counts the rows of the batches committed, for BatchError.
	stored int
}

func (imp *importer) run(ctx context.Context, rr *recordReader) error {
	imp.cols = defaultColumns
	rr.startsRow = imp.startsRow
	batch := make([]importRow, 0, imp.opt.BatchSize)
	// first is the first line read as CSV: a malformed line before it
	// does not spend the header's and the lists' checks.
	for first := true; ; {
		// An import stopped (Ctrl-C) stores the rows read so far, a
		// batch of its own, and reads no more: every line up to there is
		// counted, stored or not as the report says.
		if ctx.Err() != nil {
			if err := imp.flush(ctx, batch); err != nil {
				return err
			}
			return errInterrupted
		}
		rec, line, err := rr.Read()
		if err == io.EOF {
			break
		}
		var rerr *recordError
		if errors.As(err, &rerr) {
			imp.rows++
			email := ""
			if imp.cols.email < len(rerr.fields) {
				email = fromTextCell(rerr.fields[imp.cols.email])
			}
			imp.invalid(line, email, rerr.reason)
			continue
		} else if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if first {
			first = false
			header, err := imp.firstLine(rec)
			if err != nil {
				return err
			}
			if header {
				continue
			}
		}
		imp.rows++
		if row, ok := imp.check(line, rec, batch); ok {
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

// startsRow reports whether line, taken on its own, has an address in the
// email column: a row of its own, which a quoted cell of the line before
// does not run over (see recordReader).
func (imp *importer) startsRow(line string) bool {
	sep := string(imp.comma)
	for range imp.cols.email {
		_, rest, ok := strings.Cut(line, sep)
		if !ok {
			return false
		}
		line = rest
	}
	cell, _, _ := strings.Cut(line, sep)
	_, msg := NormalizeEmail(fromTextCell(strings.Trim(strings.TrimSpace(cell), `"`)))
	return msg == ""
}

// maxNotes bounds the lines a report lists per kind; the counts stay exact.
const maxNotes = 1000

// maxNoteEmail bounds the characters of a note's email cell: an invalid
// line's may be anything, a whole paragraph pasted in a column.
const maxNoteEmail = 80

// invalid records a line that was not imported; email is its email cell
// as the file has it, or "".
func (imp *importer) invalid(line int, email, reason string) {
	imp.rep.Invalid++
	if len(imp.rep.InvalidLines) < maxNotes {
		email = truncate(strings.ToValidUTF8(strings.TrimSpace(email), "\uFFFD"), maxNoteEmail)
		imp.rep.InvalidLines = append(imp.rep.InvalidLines, LineNote{Line: line, Email: email, Reason: reason})
	}
}

// skip records a valid line that was not imported; email is its address.
func (imp *importer) skip(line int, email, reason string) {
	imp.rep.Skipped++
	if len(imp.rep.SkippedLines) < maxNotes {
		imp.rep.SkippedLines = append(imp.rep.SkippedLines, LineNote{Line: line, Email: email, Reason: reason})
	}
}

// skipStored records a line skipped when its batch met the database (a
// stored reader). Such lines are found after the lines of their batch
// skipped as read, so they are kept apart, each kind's first maxNotes,
// and merged by line at the end: the report keeps the file's first
// skipped lines, whichever way they were found.
func (imp *importer) skipStored(line int, email, reason string) {
	imp.rep.Skipped++
	if len(imp.skippedStored) < maxNotes {
		imp.skippedStored = append(imp.skippedStored, LineNote{Line: line, Email: email, Reason: reason})
	}
}

// note records a remark on a row that was imported all the same.
func (imp *importer) note(line int, email, reason string) {
	imp.rep.Noted++
	if len(imp.rep.NotedLines) < maxNotes {
		imp.rep.NotedLines = append(imp.rep.NotedLines, LineNote{Line: line, Email: email, Reason: reason})
	}
}

// errInterrupted is run's error when its context ends before the file.
var errInterrupted = errors.New("import interrupted")

// flush stores batch. A batch begun is finished even when ctx ends
// meanwhile: the report counts what its transaction did as it goes, so
// a transaction rolled back by the context would leave it counting rows
// that are not stored.
//
// A batch that fails leaves the report as it was before it: its
// transaction counted its rows (added, updated, merged, skipped for a
// stored reader, asked…) as it went, and stored none of them.
func (imp *importer) flush(ctx context.Context, batch []importRow) error {
	if len(batch) > 0 {
		before, skippedStored := imp.rep.clone(), slices.Clone(imp.skippedStored)
		if err := imp.store.importBatch(context.WithoutCancel(ctx), imp, batch); err != nil {
			*imp.rep, imp.skippedStored, imp.confirms = *before, skippedStored, nil
			return &BatchError{First: batch[0].line, Last: batch[len(batch)-1].line, Stored: imp.stored, Err: err}
		}
		imp.stored += len(batch)
		imp.queueConfirms(ctx)
	}
	clear(imp.batched)
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
// hundred a task. After a failure, or once ctx ends, it queues no more:
// the rows stay flagged and the reconciler takes them. A task handed over
// is not cut short by ctx: a queue that runs it at once (the embedded
// Redis's) then records each mail it sent, so none goes twice.
func (imp *importer) queueConfirms(ctx context.Context) {
	items := imp.confirms
	imp.confirms = nil
	if imp.opt.Confirms == nil || imp.rep.QueueErr != nil {
		return
	}
	for len(items) > 0 {
		if err := ctx.Err(); err != nil {
			imp.rep.QueueErr = fmt.Errorf("queue confirmations: %w", err)
			return
		}
		chunk := items[:min(100, len(items))]
		items = items[len(chunk):]
		task, err := queue.NewConfirmTask(chunk)
		if err == nil {
			err = queue.EnqueueUnique(context.WithoutCancel(ctx), imp.opt.Confirms, task)
		}
		if err != nil {
			imp.rep.QueueErr = fmt.Errorf("queue confirmations: %w", err)
			return
		}
		imp.rep.Queued += len(chunk)
	}
}
