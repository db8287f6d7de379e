package campaigns

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Paging a campaign to several lists through mergeMembers, from a random
// set of members of each list, gives every reader on any of the lists
// exactly once, in order, in pages of at most size, and ends.
func TestMergeMembersPagesEveryReaderOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		size := 1 + r.IntN(9)
		lists := make([][]int64, 1+r.IntN(4))
		var want []int64
		for i := range lists {
			for id := int64(1); id <= 60; id++ {
				if r.IntN(4) == 0 {
					lists[i] = append(lists[i], id)
					want = append(want, id)
				}
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		// next reads a list's page as membersSQL does.
		next := func(l []int64, after int64) []int64 {
			i, _ := slices.BinarySearch(l, after+1)
			return l[i:min(i+size, len(l))]
		}
		var got []int64
		after := int64(0)
		for pages := 0; ; pages++ {
			if pages > len(want)+2 {
				t.Fatalf("round %d: no end after %d pages", round, pages)
			}
			members := make([][]int64, len(lists))
			for i, l := range lists {
				members[i] = next(l, after)
			}
			ids, cursor, done := mergeMembers(members, size)
			if len(ids) > size {
				t.Fatalf("round %d: a page of %d, size %d", round, len(ids), size)
			}
			got = append(got, ids...)
			if len(ids) > 0 && cursor <= after {
				t.Fatalf("round %d: cursor %d does not pass %d", round, cursor, after)
			}
			if done || len(ids) == 0 {
				break
			}
			after = cursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (size %d, lists %v):\ngot  %v\nwant %v", round, size, lists, got, want)
		}
	}
}

func TestMergeMembersStopsAtAFullList(t *testing.T) {
	// List a fills its page at 4: list b's 5 and 6 wait for the next page,
	// even though the page has room for them.
	ids, cursor, done := mergeMembers([][]int64{{1, 2, 3, 4}, {2, 5, 6}}, 4)
	if !slices.Equal(ids, []int64{1, 2, 3, 4}) || cursor != 4 || done {
		t.Fatalf("got %v, cursor %d, done %v", ids, cursor, done)
	}
	ids, cursor, done = mergeMembers([][]int64{{7}, {5, 6}}, 4)
	if !slices.Equal(ids, []int64{5, 6, 7}) || cursor != 7 || !done {
		t.Fatalf("got %v, cursor %d, done %v", ids, cursor, done)
	}
}
