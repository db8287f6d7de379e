package subscribers

import "context"

// CheckList returns the refusal of fields CreateList would answer for l,
// storing nothing: an API body some members of which the decoder refused
// is checked so for the rest, and one answer names every fault. A slug
// taken is named as CreateList names it beside other faults; alone it is
// the save's conflict to say.
func (s *Store) CheckList(ctx context.Context, l *List, checks ...WelcomeCheck) error {
	if err := l.validate(checks, "", ""); err != nil {
		return withSlugTaken(ctx, s.db.Read, err, l.Slug, 0)
	}
	return nil
}

// CheckListPatch is CheckList of UpdateList's change p of the list slug
// (as stored), changing nothing. A list gone is a not-found error.
func (s *Store) CheckListPatch(ctx context.Context, slug string, p *ListPatch, checks ...WelcomeCheck) error {
	l, err := s.ListBySlug(ctx, slug)
	if err != nil {
		return err
	}
	saved, zone := l.Welcome, l.Timezone
	p.Apply(l)
	if err := l.validate(checks, saved, zone); err != nil {
		return withSlugTaken(ctx, s.db.Read, err, l.Slug, l.ID)
	}
	return nil
}
