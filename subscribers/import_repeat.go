package subscribers

import (
	"fmt"
	"slices"
	"sort"

	"github.com/bulletinhq/bulletin/internal/prose"
)

// repeat takes row, a later line for the address of the line first. A
// file made by joining exports names a reader once for each list, so a
// repeat whose first line is in the batch in hand adds its lists to that
// line's row, as if the first line had named them all; its other cells
// (name, attributes, frequency, times) do not override the first line's,
// and the report says which of them went unused. Nor does its status: a
// repeat of another status, pending or confirmed, joins its lists all the
// same, stored as the first line says (a repeat does not change what the
// first line says of consent), and the report names the status unused.
// It is skipped, joining nothing, when either line says unsubscribed or
// bounced (left): such a line's lists are lists the reader left, as
// updateExisting and subStatus read them, which joined to a reader on
// their lists would sign them up to lists they left, and a reader stored
// as left is not put on the lists of another line, nor recorded leaving
// them. A repeat whose first line was stored with an earlier batch
// goes on to its own batch, which says what it asked that was not
// applied (repeatStored), as the stored reader then shows it.
//
// The merged line is counted apart from those skipped (Merged): it
// stores no row of its own, but its lists are in the first line's, and
// its report line says so once the batch meets the database
// (mergedNote). It counts as skipped after all when it adds no list to
// the first line's, or when the stored reader has left, who joins none.
func (imp *importer) repeat(row importRow, first int, batch []importRow) (importRow, bool) {
	i, inBatch := imp.batched[row.key]
	if !inBatch {
		row.repeatOf = first
		return row, true
	}
	f := &batch[i]
	added := slices.DeleteFunc(slices.Clone(row.lists), func(id int64) bool { return slices.Contains(f.lists, id) })
	unused := unusedCells(row, f)
	if row.status != f.status {
		if left(row.status) || left(f.status) {
			imp.skip(row.line, row.email, imp.otherStatus(row, first, f.status, added, unused))
			return importRow{}, false
		}
		unused = append([]string{"its status " + row.status}, unused...)
	}
	switch {
	case len(f.lists)+len(added) > MaxLists:
		imp.skip(row.line, row.email, fmt.Sprintf("repeats line %d, whose lists with this line's would be more than %d: %s not applied",
			first, MaxLists, wasWere(append([]string{imp.theirLists(added)}, unused...))))
	default:
		f.lists = append(f.lists, added...)
		f.merged = append(f.merged, mergedRepeat{line: row.line, email: row.email, lists: added, unused: unused})
	}
	return importRow{}, false
}

// A mergedRepeat is a repeat whose lists its first line's row took: its
// line, address, the lists it added and its cells not used.
type mergedRepeat struct {
	line   int
	email  string
	lists  []int64
	unused []string
}

// mergedNote reports repeat m, merged into its first line's row f, by
// the stored reader of their address, ex (nil when there is none). One
// who has unsubscribed or bounced is not signed up again by an import:
// f joins no list, nor do m's lists with it, and the note says so, with
// what m asked, rather than that m takes its lists too.
func (imp *importer) mergedNote(m mergedRepeat, f *importRow, ex *existing) {
	reason := fmt.Sprintf("repeats line %d", f.line)
	if ex != nil && (ex.status == StatusUnsubscribed || ex.status == StatusBounced) {
		lost := m.unused
		if len(m.lists) > 0 {
			lost = append([]string{imp.theirLists(m.lists)}, m.unused...)
		}
		imp.rep.Skipped++
		imp.rep.SkippedLines = insertNote(imp.rep.SkippedLines, LineNote{Line: m.line, Email: m.email, Reason: reason + leftNote(ex.status, lost)})
		return
	}
	if len(m.lists) > 0 {
		reason += fmt.Sprintf(", which takes %s too", imp.theirLists(m.lists))
	}
	if len(m.unused) > 0 {
		reason += fmt.Sprintf("; %s not used (line %d's %s kept)", wasWere(m.unused), f.line, isAre(len(m.unused)))
	}
	note := LineNote{Line: m.line, Email: m.email, Reason: reason}
	if len(m.lists) == 0 { // nothing of it was merged: a plain repeat
		imp.rep.Skipped++
		imp.rep.SkippedLines = insertNote(imp.rep.SkippedLines, note)
		return
	}
	imp.rep.Merged++
	imp.rep.MergedLines = insertNote(imp.rep.MergedLines, note)
}

// insertNote puts n, the note of a merged repeat written when its batch
// meets the database, among notes in the file's order, and returns them:
// they keep the file's first maxNotes (skip), and lines after this one
// may have been noted since (skipped as they were read, or merged into a
// first line earlier in the batch).
func insertNote(notes []LineNote, n LineNote) []LineNote {
	i := sort.Search(len(notes), func(i int) bool { return notes[i].Line > n.Line })
	if i >= maxNotes {
		return notes
	}
	notes = slices.Insert(notes, i, n)
	return notes[:min(len(notes), maxNotes)]
}

// left reports whether status is that of a reader who has left: one who
// unsubscribed or bounced.
func left(status string) bool { return status == StatusUnsubscribed || status == StatusBounced }

// otherStatus says why repeat row, whose status or its first line's row's
// (firstStatus) says the reader left, is skipped (repeat), and what it
// asked that was not applied: its status, and its lists and cells that
// differ.
func (imp *importer) otherStatus(row importRow, first int, firstStatus string, lists []int64, cells []string) string {
	lost := []string{"its status " + row.status}
	if len(lists) > 0 {
		lost = append(lost, imp.theirLists(lists))
	}
	why := fmt.Sprintf("a line that says %s names lists the reader left, which a repeat does not sign them up to", row.status)
	if left(firstStatus) {
		why = fmt.Sprintf("a reader whom line %d says %s is not signed up to a repeat's lists", first, firstStatus)
	}
	return fmt.Sprintf("repeats line %d with another status (%s; line %d's is %s), so it was skipped: %s; %s not applied",
		first, row.status, first, firstStatus, why, wasWere(append(lost, cells...)))
}

// repeatStored reports repeat row, whose first line was stored with an
// earlier batch, and leaves stored reader ex (nil when there is none) as
// it is: merging it then would be a second import of the reader, which
// asks a pending one again by a second confirmation mail. The report says
// what the line asked that the reader does not have, for the operator
// to import it on its own if they mean it; unless the reader has left,
// whom that would not sign up again either.
func (imp *importer) repeatStored(row importRow, ex *existing) {
	if ex == nil {
		ex = &existing{lists: map[int64]bool{}, left: map[int64]string{}}
	}
	gone := ex.status == StatusUnsubscribed || ex.status == StatusBounced
	var lost []string
	if row.status != ex.status && ex.status != "" && !gone {
		lost = append(lost, "its status "+row.status)
	}
	var lists []int64
	for _, id := range row.lists {
		if _, leftIt := ex.left[id]; (gone || !leftIt) && !ex.lists[id] {
			lists = append(lists, id)
		}
	}
	if len(lists) > 0 {
		lost = append(lost, imp.theirLists(lists))
	}
	// A stored name the import keeps (keepsName) would not be replaced
	// by the line imported on its own either: it is noted apart.
	nameKept := row.name != "" && row.name != ex.name && imp.keepsName(ex)
	if row.name != "" && row.name != ex.name && !nameKept {
		lost = append(lost, "its name “"+truncate(row.name, 60)+"”")
	}
	if row.attrs != "" && row.attrs != ex.attrs {
		lost = append(lost, "its attributes")
	}
	reason := fmt.Sprintf("repeats line %d", row.repeatOf)
	switch {
	case gone:
		if nameKept { // its name is lost with the rest
			lost = append(lost, "its name “"+truncate(row.name, 60)+"”")
		}
		reason += leftNote(ex.status, lost)
	case len(lost) > 0:
		reason += fmt.Sprintf(", stored before this line was read (rows are stored %d at a time, and a repeat joins its first line within them): %s not applied; import this line on its own to apply %s",
			imp.opt.BatchSize, wasWere(lost), itThem(len(lost)))
	}
	if nameKept && !gone {
		reason += "; " + imp.nameKept(row.name, ex.name)
	}
	imp.skipStored(row.line, row.email, reason)
}

// unusedCells names the cells of repeat row, besides its lists and
// status, that differ from those of its first line's row f, which are
// kept: "its name “Ann”", "its attributes". An empty cell asks nothing,
// the frequency's too, which a new reader's row reads as daily.
func unusedCells(row importRow, f *importRow) []string {
	var out []string
	if row.name != "" && row.name != f.name {
		out = append(out, "its name “"+truncate(row.name, 60)+"”")
	}
	if row.attrs != "" && row.attrs != f.attrs {
		out = append(out, "its attributes")
	}
	if row.freqGiven && row.freq != f.freq {
		out = append(out, "its frequency "+row.freq)
	}
	if row.createdAt != nil && (f.createdAt == nil || !row.createdAt.Equal(*f.createdAt)) {
		out = append(out, "its created_at")
	}
	if row.confirmed != nil && (f.confirmed == nil || !row.confirmed.Equal(*f.confirmed)) {
		out = append(out, "its confirmed_at")
	}
	return out
}

// theirLists names a line's lists ids for the report: "its list
// “Sport”", "its lists “News” and “Sport”".
func (imp *importer) theirLists(ids []int64) string {
	if len(ids) == 1 {
		return "its list " + imp.listNames(ids)
	}
	return "its lists " + imp.listNames(ids)
}

// wasWere joins the things said and the verb that follows them: "its
// name “Ann” was", "its list “Sport” and its name “Ann” were".
func wasWere(things []string) string {
	if len(things) == 1 {
		return things[0] + " was"
	}
	return prose.And(things) + " were"
}

// isAre is the verb of n things kept: "is" or "are".
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// itThem is the pronoun of n things: "it" or "them".
func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// leftNote is the end of the note of a repeat whose stored reader has
// left (status unsubscribed or bounced), with what the line asked that
// was not applied (lost, which may be none).
func leftNote(status string, lost []string) string {
	note := ", whose subscriber is " + status + " and is not signed up again by an import: no list was joined"
	if len(lost) > 0 {
		note += "; " + wasWere(lost) + " not applied"
	}
	return note
}

// repeatRows reports the repeats of batch, by the stored readers have:
// those merged into a row of it (mergedNote) and those whose first line
// was stored with an earlier batch (repeatStored). It returns the batch's
// other rows.
func (imp *importer) repeatRows(batch []importRow, have map[string]*existing) []importRow {
	for i := range batch {
		for _, m := range batch[i].merged {
			imp.mergedNote(m, &batch[i], have[batch[i].key])
		}
	}
	if !slices.ContainsFunc(batch, func(r importRow) bool { return r.repeatOf > 0 }) {
		return batch
	}
	rest := make([]importRow, 0, len(batch))
	for _, row := range batch {
		if row.repeatOf > 0 {
			imp.repeatStored(row, have[row.key])
			continue
		}
		rest = append(rest, row)
	}
	return rest
}
