package web

import (
	"context"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A frequencyField is what a reader's admin page shows of their digest
// frequency.
type frequencyField struct {
	// Show is whether the form offers daily or weekly. A reader's
	// frequency matters on a daily list only (a weekly list sends its one
	// digest to all its readers), so the page offers it by the rule of the
	// reader's own preferences page (offerDigest): whenever a list on the
	// page is daily, ticked or not, since ticking one and choosing its
	// frequency may be one save. With no daily list the select, which
	// would change nothing, is not shown, and the form carries the stored
	// frequency unchanged.
	Show bool
	// Hint says, in one line, when the choice applies: to which daily
	// lists, and that it changes nothing while the reader is on none.
	Hint string
}

// frequencyFieldOf is the frequency field of a reader's page whose form
// ticks the lists chosen.
func (s *Server) frequencyFieldOf(ctx context.Context, chosen []string) (frequencyField, error) {
	lists, err := s.Subscribers.Lists(ctx)
	if err != nil {
		return frequencyField{}, err
	}
	on := make(map[string]bool, len(chosen))
	for _, slug := range chosen {
		on[slug] = true
	}
	choices := make([]subscribers.ListChoice, len(lists))
	var daily []*subscribers.List
	onDaily := false
	for i, l := range lists {
		choices[i] = subscribers.ListChoice{List: l, Checked: on[l.Slug]}
		if l.Digest == "daily" {
			daily = append(daily, l)
			onDaily = onDaily || on[l.Slug]
		}
	}
	if !offerDigest(choices).Choose {
		return frequencyField{}, nil
	}
	if onDaily {
		return frequencyField{Show: true, Hint: "Applies to daily lists only: " + listNames(daily) + "."}, nil
	}
	return frequencyField{Show: true, Hint: "Applies to daily lists only (" + listNames(daily) + "), and they are on none: it changes nothing unless you tick one below."}, nil
}
