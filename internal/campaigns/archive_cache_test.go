package campaigns

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// countRenders gives the archive, for the test, a cache with the bounds
// given that counts the bodies it renders.
func countRenders(t *testing.T, maxEntries, maxBytes int) *atomic.Int64 {
	t.Helper()
	n := new(atomic.Int64)
	old := archiveBodies
	archiveBodies = newBodyCache(maxEntries, maxBytes, func(body string) (string, error) {
		n.Add(1)
		return publicBody(body)
	})
	t.Cleanup(func() { archiveBodies = old })
	return n
}

// viewIssue is campaign id's body as the archive shows it.
func viewIssue(t *testing.T, s *Store, id int64) string {
	t.Helper()
	is, err := s.ArchiveIssue(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return is.BodyHTML
}

// A campaign's page in the archive is rendered on its first view only:
// a sent campaign's body does not change, and the views after it, at
// once too, show the same body.
func TestArchiveIssueRendersOnce(t *testing.T) {
	renders := countRenders(t, archiveCacheEntries, archiveCacheBytes)
	db := sqlitetest.Open(t)
	s := NewStore(db)
	id := archivedCampaign(t, db, issueBody())
	first := viewIssue(t, s, id)
	if !strings.Contains(first, "Hi reader,") {
		t.Fatalf("first view %.80q…, want the body rendered for the public", first)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			is, err := s.ArchiveIssue(context.Background(), id)
			if err != nil {
				t.Error(err)
			} else if is.BodyHTML != first {
				t.Errorf("a later view shows %.80q…, want the first view's body", is.BodyHTML)
			}
		}()
	}
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("9 views rendered the body %d times, want once", n)
	}
}

// A body changed under the same campaign is rendered again, once, and
// shown; as is each campaign's own body when two are read in turn.
func TestArchiveIssueRendersAChangedBodyAgain(t *testing.T) {
	renders := countRenders(t, archiveCacheEntries, archiveCacheBytes)
	db := sqlitetest.Open(t)
	s := NewStore(db)
	id := archivedCampaign(t, db, "Hi {{ .Name }}, the ferry runs.")
	other := archivedCampaign(t, db, "The quay is open.")
	if got := viewIssue(t, s, id); !strings.Contains(got, "the ferry runs") {
		t.Fatalf("before the change: %q", got)
	}
	if _, err := db.Write.Exec(`UPDATE campaigns SET body = ? WHERE id = ?`, "Hi {{ .Name }}, the ferry is cancelled.", id); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := viewIssue(t, s, id); !strings.Contains(got, "the ferry is cancelled") {
			t.Errorf("after the change: %q, want the changed body", got)
		}
		if got := viewIssue(t, s, other); !strings.Contains(got, "The quay is open.") {
			t.Errorf("other campaign: %q, want its own body", got)
		}
	}
	if n := renders.Load(); n != 3 {
		t.Errorf("rendered %d times, want 3: the body before and after the change, and the other campaign's", n)
	}
}

// The cache keeps the last campaigns read, up to its number of entries
// and its bytes of HTML: one read again after more than that were read
// is rendered again, the last read are not.
func TestArchiveIssueCacheIsBounded(t *testing.T) {
	const body = "Issue **8** of the winter."
	html, err := publicBody(body)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                 string
		maxEntries, maxBytes int
		campaigns, kept      int
	}{
		{"entries", archiveCacheEntries, archiveCacheBytes, archiveCacheEntries + 1, archiveCacheEntries},
		{"bytes", archiveCacheEntries, 3*len(html) + len(html)/2, 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			renders := countRenders(t, tt.maxEntries, tt.maxBytes)
			db := sqlitetest.Open(t)
			s := NewStore(db)
			ids := make([]int64, tt.campaigns)
			for i := range ids {
				ids[i] = archivedCampaign(t, db, body)
				viewIssue(t, s, ids[i])
			}
			kept := ids[len(ids)-tt.kept:]
			for _, id := range kept {
				viewIssue(t, s, id)
			}
			if n := renders.Load(); n != int64(tt.campaigns) {
				t.Errorf("reading the last %d again rendered %d bodies in all, want %d: each once", tt.kept, n, tt.campaigns)
			}
			viewIssue(t, s, ids[0])
			if n := renders.Load(); n != int64(tt.campaigns)+1 {
				t.Errorf("reading the first again: %d renders, want %d: it was dropped", n, tt.campaigns+1)
			}
			if c := archiveBodies; c.order.Len() > tt.maxEntries || c.bytes > tt.maxBytes {
				t.Errorf("cache holds %d entries, %d bytes; want at most %d, %d", c.order.Len(), c.bytes, tt.maxEntries, tt.maxBytes)
			}
		})
	}
}
