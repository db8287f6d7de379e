package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
)

// campaignAudienceSQL counts the readers a campaign's fan-out would take now: the
// fan-out's conditions (confirmed, an active subscription to one
// of its lists), each reader once however many of the lists they are on.
// A bounced reader's status is bounced, not confirmed, so bounces are out,
// and a suppressed address is out whatever its status. It starts from the
// lists' members (the subscriptions_list index), so a small list of a big
// audience counts its own readers only (see docs/benchmarks.md: a draft's
// GET at 1,000,000 readers, 0.84 → 0.12 s for a list of 100,000 of them
// and 0.78 → 0.40 s for a list of all). CROSS JOIN keeps that order
// whatever SQLite's statistics say: after an ANALYZE that saw no
// campaign_lists rows, it walked every subscription instead (96 ms
// against 0.6 ms for two lists of 200 among 1,000,000 readers).
const campaignAudienceSQL = `SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM campaign_lists cl
		CROSS JOIN subscriptions x ON x.list_id = cl.list_id AND x.status = 'active' WHERE cl.campaign_id = ?)
	AND s.status = 'confirmed' AND NOT ` + events.SuppressedSQL

// campaignReachesSQL asks whether campaignAudienceSQL would count anyone.
// It walks the lists' members and stops at the first who is confirmed and
// not suppressed: under a millisecond at 1,000,000 readers, where walking
// the confirmed readers to the first on the lists took a second for a list
// of the newest reader only, and gathering the members first (IN) costs
// the whole list.
const campaignReachesSQL = `SELECT EXISTS (SELECT 1 FROM campaign_lists cl
	CROSS JOIN subscriptions x ON x.list_id = cl.list_id AND x.status = 'active'
	JOIN subscribers s ON s.id = x.subscriber_id
	WHERE cl.campaign_id = ? AND s.status = 'confirmed' AND NOT ` + events.SuppressedSQL + `)`

// listsAudienceSQL is campaignAudienceSQL for lists named by slug (a JSON array),
// for a campaign not saved yet.
const listsAudienceSQL = `SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM lists l
		JOIN subscriptions x ON x.list_id = l.id AND x.status = 'active'
		WHERE l.slug IN (SELECT value FROM json_each(?)))
	AND s.status = 'confirmed' AND NOT ` + events.SuppressedSQL

// setsAudienceSQL counts the readers of campaignAudienceSQL for several
// sets of lists at once. It walks the members of the lists named (a JSON
// array of distinct slugs, at most maxListsCounted) once and counts the
// readers, on campaignAudienceSQL's conditions, by the lists of the array
// they are on: bit i of the first column is the array's i-th list (a sum
// of distinct bits, as a reader has one subscription to a list). A set's
// audience is the sum over the masks that share a bit with it, so each
// reader counts once however many of its lists they are on. The admin's
// campaigns list counted each set of its drafts' lists apart instead,
// every reader of each again: five drafts to three lists of 1,000,000
// readers cost four counts, 2.9-4.5 s of CPU, against 1.0-1.4 s for this
// pass (BenchmarkRecentDrafts); for one set it costs what
// campaignAudienceSQL does. CROSS JOIN keeps the order that
// campaignAudienceSQL's comment gives, from the lists to their members,
// whatever SQLite's statistics say.
const setsAudienceSQL = `SELECT g.lists, COUNT(*) FROM (
	SELECT x.subscriber_id AS id, sum(1 << j.key) AS lists FROM json_each(?) j
		CROSS JOIN lists l ON l.slug = j.value
		CROSS JOIN subscriptions x ON x.list_id = l.id AND x.status = 'active'
		GROUP BY x.subscriber_id) g
	CROSS JOIN subscribers s ON s.id = g.id
	WHERE s.status = 'confirmed' AND NOT ` + events.SuppressedSQL + `
	GROUP BY g.lists`

// maxListsCounted is how many lists setsAudienceSQL tells apart: a bit
// each of a 64-bit integer, its sign bit left alone.
const maxListsCounted = 63

// Audience returns how many readers campaign id reaches if it is sent
// now.
func (s *Store) Audience(ctx context.Context, id int64) (int, error) {
	var n int
	if err := s.db.Read.QueryRowContext(ctx, campaignAudienceSQL, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("campaign audience: %w", err)
	}
	return n, nil
}

// Reaches says whether campaign id reaches anyone if it is sent now. It
// stops at the first reader, where Audience counts them all (tens of
// milliseconds for 20,000 readers, about a second for a million), so a
// send does not wait for a count it only compares with zero.
func (s *Store) Reaches(ctx context.Context, id int64) (bool, error) {
	var ok bool
	if err := s.db.Read.QueryRowContext(ctx, campaignReachesSQL, id).Scan(&ok); err != nil {
		return false, fmt.Errorf("campaign audience: %w", err)
	}
	return ok, nil
}

// ListsAudience returns how many readers a campaign to the lists slugs
// would reach now.
func (s *Store) ListsAudience(ctx context.Context, slugs []string) (int, error) {
	return s.countForSlugs(ctx, "lists audience", listsAudienceSQL, slugs)
}

// countForSlugs runs q, a count whose one argument is the JSON array of
// slugs; 0 for no slug.
func (s *Store) countForSlugs(ctx context.Context, what, q string, slugs []string) (int, error) {
	if len(slugs) == 0 {
		return 0, nil
	}
	arg, err := json.Marshal(slugs)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.Read.QueryRowContext(ctx, q, string(arg)).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// audienceOf is what c's reads show as its audience: who it will reach
// while it is a draft or scheduled, or sending with its fan-out still to
// finish (the answer to a send comes before it); paused or cancelled, its
// deliveries and the readers it had not reached when it stopped; and
// afterwards who it was sent to, its deliveries. c.Lists must be filled. A count reads
// every reader of the lists (about a second for a million), so a read of
// several campaigns passes counted, its drafts' audiences counted together
// (countAudiences; any set of lists not in it is counted once, when first
// met), and a campaign's fan-out is counted once a minute at most,
// however often its progress page asks.
func (s *Store) audienceOf(ctx context.Context, c *Campaign, counted audiences) (int, error) {
	if c.Status != StatusDraft && c.Status != StatusScheduled {
		switch c.Status {
		case StatusPaused, StatusCancelled:
			// Its deliveries and the readers its fan-out had not reached
			// when it stopped, as its page and the campaigns list show.
			made, left, err := s.stopped(ctx, c.ID, c.Status, c.stoppedAt(s.now()))
			return max(made+left, c.Stats.Total), err
		case StatusSending:
		default:
			return c.Stats.Total, nil
		}
		var fanning bool
		err := s.db.Read.QueryRowContext(ctx, `SELECT kind = 'campaign' AND NOT fanout_done FROM campaigns WHERE id = ?`, c.ID).Scan(&fanning)
		if err != nil || !fanning {
			return c.Stats.Total, err
		}
		if n, ok := s.fanning.get(c.ID, s.now()); ok {
			return n, nil
		}
		n, err := s.Audience(ctx, c.ID)
		if err == nil {
			s.fanning.put(c.ID, n, s.now())
		}
		return n, err
	}
	key := listsKey(c.Lists)
	if n, ok := counted[key]; ok {
		return n, nil
	}
	n, err := s.Audience(ctx, c.ID)
	if err == nil && counted != nil {
		counted[key] = n
	}
	return n, err
}

// audiences are the audiences counted so far in one read, by the
// campaign's lists (listsKey).
type audiences map[string]int

// listsKey is a set of lists' key in audiences: their slugs, in the
// order Store.lists gives them, joined by NUL.
func listsKey(slugs []string) string { return strings.Join(slugs, "\x00") }

// countAudiences counts the audiences of the drafts and scheduled
// campaigns among cs (their Lists filled), all in one pass over their
// lists' members (setsAudienceSQL), for a read of several campaigns. When
// their lists are more than one pass tells apart it counts none, and
// audienceOf counts each set of lists as it meets it.
func (s *Store) countAudiences(ctx context.Context, cs []*Campaign) (audiences, error) {
	sets, union := draftListSets(cs)
	counted := audiences{}
	if len(union) > maxListsCounted {
		return counted, nil
	}
	var byMask map[int64]int
	if len(union) > 0 { // else only drafts to no list, which reach no one
		var err error
		if byMask, err = s.readersByLists(ctx, union); err != nil {
			return nil, err
		}
	}
	bit := make(map[string]int, len(union))
	for i, l := range union {
		bit[l] = i
	}
	for _, set := range sets {
		var of int64
		for _, l := range set {
			of |= 1 << bit[l]
		}
		n := 0
		for mask, readers := range byMask {
			if mask&of != 0 {
				n += readers
			}
		}
		counted[listsKey(set)] = n
	}
	return counted, nil
}

// draftListSets returns the sets of lists of the drafts and scheduled
// campaigns among cs, each once, and every list of them, each once.
func draftListSets(cs []*Campaign) (sets [][]string, union []string) {
	setSeen, listSeen := map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		if c.Status != StatusDraft && c.Status != StatusScheduled || setSeen[listsKey(c.Lists)] {
			continue
		}
		setSeen[listsKey(c.Lists)] = true
		sets = append(sets, c.Lists)
		for _, l := range c.Lists {
			if !listSeen[l] {
				listSeen[l] = true
				union = append(union, l)
			}
		}
	}
	return sets, union
}

// readersByLists runs setsAudienceSQL on lists: the readers it counts, by
// the mask of the lists they are on.
func (s *Store) readersByLists(ctx context.Context, lists []string) (map[int64]int, error) {
	arg, err := json.Marshal(lists)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read.QueryContext(ctx, setsAudienceSQL, string(arg))
	if err != nil {
		return nil, fmt.Errorf("campaign audiences: %w", err)
	}
	defer rows.Close()
	byMask := map[int64]int{}
	for rows.Next() {
		var mask int64
		var n int
		if err := rows.Scan(&mask, &n); err != nil {
			return nil, fmt.Errorf("campaign audiences: %w", err)
		}
		byMask[mask] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("campaign audiences: %w", err)
	}
	return byMask, nil
}

// fanningAudiences are the audiences of campaigns whose fan-out is
// running, each with when it was counted, for a minute.
type fanningAudiences struct {
	mu sync.Mutex
	m  map[int64]countedAt
}

type countedAt struct {
	n  int
	at time.Time
}

func (f *fanningAudiences) get(id int64, now time.Time) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.m[id]
	return c.n, ok && now.Sub(c.at) < time.Minute
}

func (f *fanningAudiences) put(id int64, n int, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[int64]countedAt{}
	}
	for k, c := range f.m { // a fan-out lasts seconds: forget the old
		if now.Sub(c.at) >= time.Minute {
			delete(f.m, k)
		}
	}
	f.m[id] = countedAt{n, now}
}

// campaignSuppressedSQL counts the readers campaignAudienceSQL leaves out
// for their suppressed address or domain alone: confirmed, on one of the
// campaign's lists, each once. The campaign's page says them, as "the
// confirmed readers of its lists" read otherwise as if they were counted.
const campaignSuppressedSQL = `SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM campaign_lists cl
		CROSS JOIN subscriptions x ON x.list_id = cl.list_id AND x.status = 'active' WHERE cl.campaign_id = ?)
	AND s.status = 'confirmed' AND ` + events.SuppressedSQL

// SuppressedAudience returns how many confirmed readers of campaign id's
// lists it leaves out because their address or domain is suppressed. With
// no suppression at all it counts nothing, so the page of a campaign to a
// big list pays for a second walk of its members only when one could
// be left out.
func (s *Store) SuppressedAudience(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM suppressions) THEN (`+campaignSuppressedSQL+`) ELSE 0 END`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("campaign suppressed audience: %w", err)
	}
	return n, nil
}

// listsSuppressedSQL is campaignSuppressedSQL for lists named by slug (a
// JSON array), for a campaign not saved yet, as listsAudienceSQL is
// campaignAudienceSQL.
const listsSuppressedSQL = `SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM lists l
		JOIN subscriptions x ON x.list_id = l.id AND x.status = 'active'
		WHERE l.slug IN (SELECT value FROM json_each(?)))
	AND s.status = 'confirmed' AND ` + events.SuppressedSQL

// ListsSuppressed returns how many confirmed readers of the lists slugs a
// campaign to them would leave out because their address or domain is
// suppressed, as SuppressedAudience counts them for a saved campaign:
// the campaign form says them beside ListsAudience's count.
func (s *Store) ListsSuppressed(ctx context.Context, slugs []string) (int, error) {
	return s.countForSlugs(ctx, "lists suppressed audience",
		`SELECT CASE WHEN EXISTS (SELECT 1 FROM suppressions) THEN (`+listsSuppressedSQL+`) ELSE 0 END`, slugs)
}
