package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// importUse is how import is called, as the usage text has it.
const importUse = "bulletin import FILE.csv [--list SLUG] [--confirmed | --reconfirm] [--overwrite-names]"

// importCSV imports subscribers from a CSV file into its lists or --list, with a
// progress bar on a terminal and plain counts otherwise.
func (m *Main) importCSV(ctx context.Context, args []string) error {
	var list string
	var confirmed, reconfirm, overwriteNames bool
	rest, err := m.ParseFlags("import", args, func(fs *flag.FlagSet) {
		fs.StringVar(&list, "list", "", "slug of a list to add every subscriber to (needed when the file has no lists column)")
		fs.BoolVar(&confirmed, "confirmed", false, "the publisher has their consent: import the file's readers as confirmed, with no confirmation mail (a row whose status column says pending stays pending and is mailed one)")
		fs.BoolVar(&reconfirm, "reconfirm", false, "import the readers the file marks confirmed as pending, each mailed a confirmation to click (such a file needs this or --confirmed)")
		fs.BoolVar(&overwriteNames, "overwrite-names", false, "replace the names of readers already stored with the file's; without it a stored name is kept (the reader may have typed it) and only a reader with none gets the file's. An empty name cell never erases one")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("use: %s", importUse)
	}
	if confirmed && reconfirm {
		return usagef("import: give --confirmed (they stay confirmed) or --reconfirm (each is asked by mail), not both")
	}
	if rest[0] == "-" { // many tools read stdin so; os.Open looked for a file named "-"
		return usagef("\"-\" is not read as stdin: give the CSV file, or /dev/stdin to import what is piped in (cat readers.csv | bulletin import /dev/stdin)")
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return fileArgError(rest[0], "the CSV file to import", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return usagef("import: %s is a folder: give the CSV file to import", rest[0])
	}
	var src io.Reader = f
	if !confirmed && !reconfirm {
		in, done, err := m.rewindable(ctx, f, rest[0])
		if err != nil {
			return err
		}
		defer done()
		if file, ok := in.(*os.File); ok { // not a pipe streamed: read it through first
			if err := refuseConfirmedRows(file, rest[0]); err != nil {
				return err
			}
		}
		src = in
	}
	if err := m.openAll(ctx); err != nil {
		return err
	}
	opt := subscribers.ImportOptions{List: list, Confirmed: confirmed, OverwriteNames: overwriteNames,
		KeptNameHint: "--overwrite-names replaces stored names"}
	if !confirmed {
		if opt.Confirms, err = m.confirmsNow(ctx); err != nil {
			return err
		}
	}
	start := time.Now()
	in, finish := m.importProgress(src, &opt)
	rep, err := m.app.Subscribers.Import(ctx, in, opt)
	finish()
	if rep != nil && rep.Interrupted {
		return m.importInterrupted(ctx, rep, time.Since(start), confirmed, reconfirm)
	}
	if err != nil {
		return m.importError(ctx, err, rest[0], list)
	}
	m.reportImport(rep, time.Since(start), confirmed, reconfirm)
	if rep.NoReaders() {
		fmt.Fprintf(m.Stdout, "%s has column names but no readers: nothing to import.\n", rest[0])
	}
	if m.importMailed(rep, confirmed) {
		if err := m.warnLinksFromAddr(ctx); err != nil {
			return err
		}
	}
	// A job run by cron is told by its exit status that the file it was
	// given imported nothing at all; one with some rows to import is not.
	if rep.Invalid > 0 && rep.Added+rep.Updated+rep.Merged+rep.Skipped == 0 {
		return fmt.Errorf("nothing imported: every row of %s is invalid (%s, see above)", rest[0], plural(rep.Invalid, "row"))
	}
	return nil
}

// refuseConfirmedRows reads f, the file to import without --confirmed or
// --reconfirm, through once before anything is stored, and refuses it
// when it marks readers confirmed, as an export does: imported so, each
// would be pending and mailed a confirmation, every reader of an install
// moved asked again by surprise. It leaves f at its start.
func refuseConfirmedRows(f *os.File, name string) error {
	n := subscribers.ConfirmedRows(f)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if n > 0 {
		return usagef("%s marks %s confirmed, who without --confirmed would be imported pending and each mailed a confirmation. "+
			"Give --confirmed to import them confirmed (you vouch that they opted in; nothing is mailed), "+
			"or --reconfirm to import them pending and ask each by mail. Nothing was imported.", name, plural(n, "reader"))
	}
	return nil
}

// rewindable returns f when it can go back to its start, a regular file.
// A pipe (/dev/stdin, a shell's <(…)) is read once: when its first lines
// say it has no status column, it cannot mark a reader confirmed, and the
// reader returned streams it (those lines, then the rest as it comes);
// otherwise the reader is a copy of it in a temporary file, which done
// removes, for refuseConfirmedRows to read through first. Ctrl-C while
// the pipe is read stops it, with nothing imported.
func (m *Main) rewindable(ctx context.Context, f *os.File, name string) (_ io.Reader, done func(), err error) {
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		return f, func() {}, nil
	}
	// A read blocked on the pipe ends when the file is closed.
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	interrupted := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Interrupted while reading %s: nothing was imported.\n", name)
		return errInterrupted
	}
	br := bufio.NewReaderSize(f, 64<<10)
	head, err := pipeHead(br)
	if err != nil {
		return nil, nil, interrupted(fmt.Errorf("import: read the piped file: %w", err))
	}
	if status, found := subscribers.StatusColumn(bytes.NewReader(head)); found && !status {
		return io.MultiReader(bytes.NewReader(head), br), func() {}, nil
	}
	tmp, err := createImportCopy()
	if err != nil {
		return nil, nil, fmt.Errorf("import: copy the piped file: %w", err)
	}
	done = func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	if n, err := io.Copy(tmp, io.MultiReader(bytes.NewReader(head), br)); err != nil {
		done()
		if errors.Is(err, syscall.ENOSPC) {
			// The copy is as large as what was piped, in the temporary
			// folder, often a RAM disk smaller than the data's own.
			return nil, nil, fmt.Errorf("import: the copy of the piped file filled %s after %s (it is read through once for confirmed readers before anything is stored): "+
				"import it from a file instead (bulletin import FILE.csv, read where it is), or set TMPDIR to a folder with room. Nothing was imported", filepath.Dir(tmp.Name()), fmt.Sprintf("%.1f MB", float64(n)/(1<<20)))
		}
		return nil, nil, interrupted(fmt.Errorf("import: copy the piped file: %w", err))
	}
	if err := ctx.Err(); err != nil { // the pipe was closed at its end
		done()
		return nil, nil, interrupted(err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		done()
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	return tmp, done, nil
}

// createImportCopy makes the temporary file a piped import is copied to;
// a test makes it one that is full.
var createImportCopy = func() (*os.File, error) { return os.CreateTemp("", "bulletin-import-*.csv") }

// pipeHead reads the first lines of a piped file from br, enough to hold
// its line of column names after an Excel "sep=" line, blank lines or a
// line that is no CSV: four lines that are not blank, or 64 KiB, or all of
// it when it is shorter.
func pipeHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for lines := 0; lines < 4 && len(head) < 64<<10; {
		line, err := br.ReadSlice('\n')
		head = append(head, line...)
		if len(bytes.TrimSpace(line)) > 0 {
			lines++
		}
		if err == io.EOF {
			break
		} else if err != nil && err != bufio.ErrBufferFull {
			return nil, err
		}
	}
	return head, nil
}

// errInterrupted ends a command stopped by Ctrl-C once it has said what
// it did: Main exits 130, as a shell does for a program SIGINT ends.
var errInterrupted = errors.New("interrupted")

// importInterrupted reports an import stopped by Ctrl-C (or SIGTERM): the
// rows of every line up to where it stopped are stored or not, as the
// report says, and the lines after it were not read. The same import run
// again finishes the job: the readers it stored are skipped as stored
// already (or updated, for what the file changes), and a confirmation,
// sent or left to the reconciler, is never sent again. confirmed and
// reconfirm are whether --confirmed or --reconfirm was given (reportImport).
func (m *Main) importInterrupted(ctx context.Context, rep *subscribers.ImportReport, took time.Duration, confirmed, reconfirm bool) error {
	m.reportImport(rep, took, confirmed, reconfirm)
	fmt.Fprintf(m.Stdout, "Nothing after line %d was read. Running the same import again is safe: it skips the readers stored already and mails no one twice.\n", rep.Lines)
	if m.importMailed(rep, confirmed) {
		if err := m.warnLinksFromAddr(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	return errInterrupted
}

// importProgress wraps the file so a terminal shows a bar by bytes read;
// elsewhere a line of counts goes to stderr every 100,000 rows.
func (m *Main) importProgress(src io.Reader, opt *subscribers.ImportOptions) (io.Reader, func()) {
	errf, ok := m.Stderr.(*os.File)
	if ok && term.IsTerminal(int(errf.Fd())) {
		size := int64(-1) // a pipe's is not known
		if f, ok := src.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
		}
		bar := progressbar.NewOptions64(size, progressbar.OptionSetWriter(errf), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("importing"), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
		r := progressbar.NewReader(src, bar)
		return &r, func() { bar.Finish() }
	}
	last := 0
	opt.Progress = func(rows int) {
		if rows-last >= 100_000 {
			fmt.Fprintf(m.Stderr, "import: %d rows read\n", rows)
			last = rows
		}
	}
	return src, func() {}
}

// whose names a report line's address for the terminal, quoted: an
// invalid line's may be anything the file held, control characters too.
func whose(n subscribers.LineNote) string {
	if n.Email == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", n.Email)
}

// printImportReport prints the report of an import run without
// --confirmed or --reconfirm.
func (m *Main) printImportReport(rep *subscribers.ImportReport, took time.Duration) {
	m.reportImport(rep, took, false, false)
}

// reportImport prints rep. reconfirm is whether --reconfirm was given:
// those who chose to ask the readers again are not advised --confirmed.
// confirmed is whether --confirmed was: those who gave it are not advised
// it either.
func (m *Main) reportImport(rep *subscribers.ImportReport, took time.Duration, confirmed, reconfirm bool) {
	w := m.Stdout
	if rep.Interrupted {
		fmt.Fprintf(w, "Interrupted after line %d: ", rep.Lines)
	}
	// A line merged into an earlier one's reader is not skipped: its
	// count shows when there is one, the figures scripts read as before.
	merged := ""
	if rep.Merged > 0 {
		merged = fmt.Sprintf(", merged %d", rep.Merged)
	}
	fmt.Fprintf(w, "added %d, updated %d%s, skipped %d, invalid %d (in %s)\n",
		rep.Added, rep.Updated, merged, rep.Skipped, rep.Invalid, took.Round(time.Millisecond))
	for _, n := range first(rep.InvalidLines, 100) {
		fmt.Fprintf(w, "invalid line %d%s: %s\n", n.Line, whose(n), n.Reason)
	}
	if more := rep.Invalid - min(len(rep.InvalidLines), 100); more > 0 {
		fmt.Fprintf(w, "…and %s more\n", plural(more, "invalid line"))
	}
	for _, n := range first(rep.MergedLines, 100) {
		fmt.Fprintf(w, "merged line %d%s: %s\n", n.Line, whose(n), n.Reason)
	}
	if more := rep.Merged - min(len(rep.MergedLines), 100); more > 0 {
		fmt.Fprintf(w, "…and %s more\n", plural(more, "merged line"))
	}
	for _, n := range first(rep.SkippedLines, 100) {
		fmt.Fprintf(w, "skipped line %d%s: %s\n", n.Line, whose(n), n.Reason)
	}
	if more := rep.Skipped - min(len(rep.SkippedLines), 100); more > 0 {
		fmt.Fprintf(w, "…and %s more\n", plural(more, "skipped line"))
	}
	for _, n := range first(rep.NotedLines, 100) {
		fmt.Fprintf(w, "note on line %d%s: %s\n", n.Line, whose(n), n.Reason)
	}
	if more := rep.Noted - min(len(rep.NotedLines), 100); more > 0 {
		fmt.Fprintf(w, "…and %s more\n", plural(more, "note"))
	}
	if len(rep.UnknownLists) > 0 {
		fmt.Fprintf(w, "unknown lists (create them, then import those lines again): %s\n", strings.Join(rep.UnknownLists, ", "))
	}
	if len(rep.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "not imported (columns the import does not read): %s\n", strings.Join(rep.IgnoredColumns, ", "))
	}
	if rep.Pending+rep.Asked == 0 {
		return
	}
	hint := " (use --confirmed when you have their consent)"
	if reconfirm || confirmed {
		hint = ""
	}
	if rep.Pending > 0 {
		asked := hint
		switch {
		case reconfirm:
			asked = ", each asked by mail to confirm, as --reconfirm chose"
		case confirmed:
			// --confirmed vouches for the readers the file marks
			// confirmed or gives no status; one it marks pending stays
			// so, and import queues nothing: serve's reconciler mails
			// it once its row is three minutes old, at its next round
			// (every 5 minutes).
			asked = ", as the file's status column has it: serve mails each a confirmation within 10 minutes of running"
		}
		fmt.Fprintf(w, "%s pending%s\n", isAre(rep.Pending, "new subscriber"), asked)
	}
	if rep.Asked > 0 {
		fmt.Fprintf(w, "%s already stored: asked by mail to confirm the lists added, which they join when they click%s\n",
			plural(rep.Asked, "reader"), hint)
	}
	if rep.Suppressed > 0 {
		fmt.Fprintf(w, "%s on the suppression list: sent nothing\n", isAre(rep.Suppressed, "reader"))
	}
	if confirmed { // import queued nothing: "0 confirmation mails sent" would say they get none
		return
	}
	switch {
	case errors.Is(rep.QueueErr, context.Canceled):
		fmt.Fprintf(w, "%s sent or queued before the interruption; the rest go within 5 minutes of serve running\n", plural(rep.Queued, "confirmation mail"))
	case rep.QueueErr != nil:
		fmt.Fprintf(w, "%s sent or queued; the rest go within 5 minutes of serve running (%v)\n", plural(rep.Queued, "confirmation mail"), rep.QueueErr)
	case m.app.Queue.Embedded():
		fmt.Fprintf(w, "%s sent\n", plural(rep.Queued, "confirmation mail"))
	default:
		fmt.Fprintf(w, "%s queued on Redis: serve sends them within seconds\n", plural(rep.Queued, "confirmation mail"))
	}
}

// importMailed reports whether import built confirmation mails itself,
// whose links warnLinksFromAddr is about: with the embedded Redis, and
// not under --confirmed, which leaves the rows a file marks pending to
// serve. Queued for serve (BULLETIN_REDIS_URL), serve builds them, with
// its own URL.
func (m *Main) importMailed(rep *subscribers.ImportReport, confirmed bool) bool {
	return rep.Pending+rep.Asked > 0 && !confirmed && m.app.Queue.Embedded()
}

// confirmsNow returns where import puts its confirmations: the Redis that
// serve reads, or, with the embedded one no other process can see, a
// sender in this process. Its mails wait at the process's refusal gate,
// as serve's do (wireSubscribers): while the mail server refuses every
// message they are held behind its probe, and go once it takes one; a
// task still held after a while is handed back, its readers left to
// serve's reconciler. They went to the server one after another, each
// refused. Ctrl-C (ctx) drains the gate: what it holds is handed back at
// once.
func (m *Main) confirmsNow(ctx context.Context) (queue.Enqueuer, error) {
	if !m.app.Queue.Embedded() {
		return m.app.Queue, nil
	}
	if err := m.checkSendsAsServe("the confirmation mails"); err != nil {
		return nil, err
	}
	c, err := m.newConfirmer()
	if err != nil {
		return nil, err
	}
	c.Gate = m.app.Gate
	context.AfterFunc(ctx, c.Gate.Drain)
	if t, ok := m.app.Transport.(interface{ Close() error }); ok {
		m.app.closers = append(m.app.closers, t.Close)
	}
	return runNow{c}, nil
}

// exportCSV writes subscribers as CSV to stdout.
func (m *Main) exportCSV(ctx context.Context, args []string) error {
	var list string
	rest, err := m.ParseFlags("export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&list, "list", "", "only the subscribers of this list")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("use: bulletin export [--list SLUG] > subscribers.csv")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	if list != "" {
		// Typed in any case, as import reads it; the export's filter
		// compares the slug as stored.
		l, err := m.app.Subscribers.FindList(ctx, list)
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			return m.noSuchList(ctx, bulletin.ErrorMessage(err))
		} else if err != nil {
			return err
		}
		list = l.Slug
	}
	n, err := m.app.Subscribers.ExportCSV(ctx, m.Stdout, list)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "exported %s\n", plural(n, "subscriber"))
	return nil
}

// importError says what was wrong with the file or the flags when that
// stopped the import (exit status 2): no list to put its readers in, a
// --list that names none, a file that is empty, not CSV or names no email
// column. Any other error is an operational one.
func (m *Main) importError(ctx context.Context, err error, file, list string) error {
	switch bulletin.ErrorCode(err) {
	case bulletin.EUNAVAILABLE:
		return importDiskFull(err, file, m.Config.Data)
	case bulletin.ENOTFOUND:
		if list != "" {
			return m.noSuchList(ctx, bulletin.ErrorMessage(err))
		}
	case bulletin.EINVALID:
		msg := bulletin.ErrorMessage(err)
		// The importer's sentence is the admin's import page's, which has
		// a list menu; here the choice is a flag.
		if list == "" && strings.Contains(msg, "no lists column") {
			return usagef("%s has no lists column: pass --list SLUG to add every reader in it to that list, or add a lists column", file)
		}
		if named, ok := namingFile(msg, file); ok {
			return usagef("%s", named)
		}
	}
	return badInput(err)
}

// importDiskFull says what an import stopped by a full disk stored:
// nothing, or the readers of the lines before the batch that failed (a
// transaction stores all of its rows or none), and how to finish the job.
// It said "import rows 1001–2000: insert subscribers: database or disk is
// full", which left the operator to guess what of the file was in.
// It gives no counts: the lines are what the operator acts on, and the
// report (which counts only the batches stored, subscribers.BatchError)
// is the admin's page's.
func importDiskFull(err error, file, data string) error {
	free := "free some space on the disk of the data folder " + data
	var be *subscribers.BatchError
	if !errors.As(err, &be) || be.Stored == 0 {
		return fmt.Errorf("the disk is full, so nothing from %s was imported: %s, then run the same import again", file, free)
	}
	return fmt.Errorf("the disk is full, so the import stopped at line %d of %s: the readers on lines 1 to %d are imported, "+
		"nothing from line %d on is. To import the rest, %s, then run the same import again: it skips the readers stored already and mails no one twice",
		be.First, file, be.First-1, be.First, free)
}

// fileSubjects are how the importer's refusals of a whole file begin
// (its "the file" is the one uploaded on the admin's page), and what
// follows the file's name in their place.
var fileSubjects = []struct{ the, named string }{
	{"The file's ", "'s "},
	{"The file ", " "},
	{"The first line ", "'s first line "},
}

// namingFile returns msg, a refusal of the whole file, with file named
// where it says "the file": of several files imported in a row (a shell
// loop), the message says which one is empty, a workbook, UTF-16 or
// separated by tabs, or names no email column.
func namingFile(msg, file string) (string, bool) {
	for _, s := range fileSubjects {
		if rest, ok := strings.CutPrefix(msg, s.the); ok {
			return file + s.named + rest, true
		}
	}
	return msg, false
}

// noSuchList is the usage error of a --list that names no list: msg,
// then the slugs of the lists there are, so that the next try is right.
func (m *Main) noSuchList(ctx context.Context, msg string) error {
	lists, err := m.app.Subscribers.Lists(ctx)
	switch {
	case err != nil:
		return usagef("%s See the lists' slugs at /admin/lists or GET /api/v1/lists", msg)
	case len(lists) == 0:
		return usagef("%s There are no lists yet: create one at /admin/lists", msg)
	}
	const most = 20
	var slugs []string
	for _, l := range lists[:min(len(lists), most)] {
		slugs = append(slugs, l.Slug)
	}
	more := ""
	if len(lists) > most {
		more = fmt.Sprintf(" and %d more (see /admin/lists)", len(lists)-most)
	}
	return usagef("%s The lists are: %s%s", msg, strings.Join(slugs, ", "), more)
}

// first returns at most n notes: a report stays readable however bad the
// file.
func first(notes []subscribers.LineNote, n int) []subscribers.LineNote {
	return notes[:min(n, len(notes))]
}
