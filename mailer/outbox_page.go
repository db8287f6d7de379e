package mailer

import "sort"

// An OutboxPage is a page of the outbox's messages, newest first.
type OutboxPage struct {
	Names []string
	// Total is how many messages the outbox holds; First is the place of
	// Names[0] among them, newest first, from 1 (0 on an empty page).
	Total, First int
	// Older is the before of the next page (older messages), Newer the
	// after of the page before it (newer ones); "" when there is none.
	Older, Newer string
}

// Page returns at most limit messages of the outbox (limit > 0), newest
// first: the newest when before and after are "", else those older than
// the name before, or the limit just newer than the name after. Names
// never change and sort by time, so every message is on exactly one page
// however the pages are walked. A page newer than after that would be
// short is the newest page instead, so the way back ends on the first
// page as it was seen.
func (o *Outbox) Page(before, after string, limit int) (*OutboxPage, error) {
	names, err := o.List(0) // newest first
	if err != nil {
		return nil, err
	}
	p := &OutboxPage{Total: len(names)}
	start := 0
	switch {
	case after != "":
		// Those newer than after are names[:end].
		end := sort.Search(len(names), func(i int) bool { return names[i] <= after })
		start = max(end-limit, 0)
	case before != "":
		start = sort.Search(len(names), func(i int) bool { return names[i] < before })
	}
	end := min(start+limit, len(names))
	p.Names = names[start:end]
	if len(p.Names) == 0 {
		return p, nil
	}
	p.First = start + 1
	if end < len(names) {
		p.Older = names[end-1]
	}
	if start > 0 {
		p.Newer = names[start]
	}
	return p, nil
}
