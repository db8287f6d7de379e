package subscribers

import (
	"fmt"
	"slices"
)

// repeat takes row, a later line for the address of the line first. A
// file made by joining exports names a reader once for each list, so a
// repeat whose first line is in the batch in hand adds its lists to that
// line's row, as if the first line had named them all; its other cells
// (name, attributes, frequency, times) do not override the first line's,
// and the report says which of them went unused. It is not merged when
// it would store the reader with another status than the first line
// does: a second line must not change what the first says of consent,
// either way. A repeat whose first line was stored with an earlier batch
// goes on to its own batch, which says what it asked that was not
// applied (repeatStored), as the stored reader then shows it.
//
// The merged line counts as skipped, since it stores no row of its own:
// its lists are in the first line's, and its report line says so.
func (imp *importer) repeat(row importRow, first int, batch []importRow) (importRow, bool) {
	i, inBatch := imp.batched[row.key]
	if !inBatch {
		row.repeatOf = first
		return row, true
	}
	f := &batch[i]
	added := slices.DeleteFunc(slices.Clone(row.lists), func(id int64) bool { return slices.Contains(f.lists, id) })
	unused := unusedCells(row, f)
	switch {
	case row.status != f.status:
		imp.skip(row.line, row.email, imp.otherStatus(row, first, f.status, added, unused))
	case len(f.lists)+len(added) > MaxLists:
		imp.skip(row.line, row.email, fmt.Sprintf("repeats line %d, whose lists with this line's would be more than %d: %s not applied",
			first, MaxLists, wasWere(append([]string{imp.theirLists(added)}, unused...))))
	default:
		f.lists = append(f.lists, added...)
		reason := fmt.Sprintf("repeats line %d", first)
		if len(added) > 0 {
			reason += fmt.Sprintf(", which takes %s too", imp.theirLists(added))
		}
		if len(unused) > 0 {
			reason += fmt.Sprintf("; %s not used (line %d's %s kept)", wasWere(unused), first, isAre(len(unused)))
		}
		imp.skip(row.line, row.email, reason)
	}
	return importRow{}, false
}

// otherStatus says why repeat row, stored as another status than its
// first line's row (firstStatus), is skipped, and what it asked that was
// not applied: its status, and its lists and cells that differ.
func (imp *importer) otherStatus(row importRow, first int, firstStatus string, lists []int64, cells []string) string {
	lost := []string{"its status " + row.status}
	if len(lists) > 0 {
		lost = append(lost, imp.theirLists(lists))
	}
	return fmt.Sprintf("repeats line %d with another status (%s; line %d's is %s), so it was skipped, as a repeat does not change what the first line says of consent: %s not applied",
		first, row.status, first, firstStatus, wasWere(append(lost, cells...)))
}

// repeatStored reports repeat row, whose first line was stored with an
// earlier batch, and leaves stored reader ex (nil when there is none) as
// it is: merging it then would be a second import of the reader, which
// asks a pending one again by a second confirmation mail. The report says
// what the line asked that the reader does not have, for the operator
// to import it on its own if they mean it.
func (imp *importer) repeatStored(row importRow, ex *existing) {
	var lost []string
	var lists []int64
	if ex == nil {
		ex = &existing{lists: map[int64]bool{}, left: map[int64]string{}}
	}
	if row.status != ex.status && ex.status != "" {
		lost = append(lost, "its status "+row.status)
	}
	for _, id := range row.lists {
		if _, gone := ex.left[id]; !gone && !ex.lists[id] {
			lists = append(lists, id)
		}
	}
	if len(lists) > 0 {
		lost = append(lost, imp.theirLists(lists))
	}
	if row.name != "" && row.name != ex.name {
		lost = append(lost, "its name “"+truncate(row.name, 60)+"”")
	}
	if row.attrs != "" && row.attrs != ex.attrs {
		lost = append(lost, "its attributes")
	}
	reason := fmt.Sprintf("repeats line %d", row.repeatOf)
	if len(lost) > 0 {
		reason += fmt.Sprintf(", stored before this line was read (rows are stored %d at a time, and a repeat joins its first line within them): %s not applied; import this line on its own to apply %s",
			imp.opt.BatchSize, wasWere(lost), itThem(len(lost)))
	}
	imp.skipStored(row.line, row.email, reason)
}

// unusedCells names the cells of repeat row, besides its lists and
// status, that differ from those of its first line's row f, which are
// kept: "its name “Ann”", "its attributes".
func unusedCells(row importRow, f *importRow) []string {
	var out []string
	if row.name != "" && row.name != f.name {
		out = append(out, "its name “"+truncate(row.name, 60)+"”")
	}
	if row.attrs != "" && row.attrs != f.attrs {
		out = append(out, "its attributes")
	}
	if row.freq != f.freq {
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
	return joinAnd(things) + " were"
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

// repeatRows reports the repeats of batch (repeatStored), by the stored
// readers have, and returns the batch's other rows.
func (imp *importer) repeatRows(batch []importRow, have map[string]*existing) []importRow {
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
