package subscribers

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// listCacheTTL bounds how stale the slug → list map may be; CreateList
// invalidates it at once, so only changes made by another process wait.
const listCacheTTL = 10 * time.Second

// A listCache keeps the lists by slug so that a signup resolves its slugs
// without a query: signups are the hot path and lists rarely change.
type listCache struct {
	mu     sync.Mutex
	bySlug map[string]*List
	loaded time.Time
}

func (c *listCache) invalidate() {
	c.mu.Lock()
	c.bySlug = nil
	c.mu.Unlock()
}

// listsBySlug returns the cached lists, loading them when stale.
func (s *Store) listsBySlug(ctx context.Context) (map[string]*List, error) {
	c := &s.lists
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bySlug != nil && time.Since(c.loaded) < listCacheTTL {
		return c.bySlug, nil
	}
	lists, err := s.Lists(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*List, len(lists))
	for _, l := range lists {
		m[SlugKey(l.Slug)] = l
	}
	c.bySlug, c.loaded = m, time.Now()
	return m, nil
}

// resolveLists maps slugs to list ids, each id once. A slug names its
// list in any case (SlugKey): "Daily-News" is daily-news, as a reader
// types it from the list's name. With publicOnly, a private list is
// reported exactly like a missing one, so a form cannot probe for them.
// Every slug that names no list is reported, not just the first, so that
// one answer says all there is to fix.
func (s *Store) resolveLists(ctx context.Context, slugs []string, publicOnly bool) ([]int64, error) {
	m, err := s.listsBySlug(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(slugs))
	var unknown, unknownKeys []string // "Nope" and "nope" are named once
	for _, slug := range slugs {
		l, ok := m[SlugKey(slug)]
		if !ok || (publicOnly && !l.Public) {
			if !slices.Contains(unknownKeys, SlugKey(slug)) {
				unknownKeys = append(unknownKeys, SlugKey(slug))
				unknown = append(unknown, strconv.Quote(truncate(slug, 64)))
			}
			continue
		}
		if !slices.Contains(ids, l.ID) { // "news" and "News" join news once
			ids = append(ids, l.ID)
		}
	}
	if len(unknown) > 0 {
		return nil, bulletin.Invalid(map[string]string{"lists": NoLists(unknown)})
	}
	return ids, nil
}

// UnknownLists is the 422 naming those of slugs that name no list, in
// the words a create or update would use, or nil when all do. Any list
// counts, private ones too, as an admin may put a reader on one. The API
// asks it when another fault stopped the store before it looked the lists
// up (a malformed body, a bad address), so that one answer names both.
func (s *Store) UnknownLists(ctx context.Context, slugs []string) error {
	_, err := s.resolveLists(ctx, uniqueSlugs(slugs), false)
	return err
}

// NoLists says that the quoted slugs name no list: `there is no list "a"`
// for one, as ever, and `there are no lists "a", "b" and "c"` for more.
// Campaigns name their unknown lists in the same words.
func NoLists(quoted []string) string {
	if len(quoted) == 1 {
		return "there is no list " + quoted[0]
	}
	return "there are no lists " + strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// PublicLists returns the lists a reader may join, ordered by id.
func (s *Store) PublicLists(ctx context.Context) ([]*List, error) {
	all, err := s.Lists(ctx)
	if err != nil {
		return nil, err
	}
	var out []*List
	for _, l := range all {
		if l.Public {
			out = append(out, l)
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
