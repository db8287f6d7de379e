package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// BenchmarkSearchPage is the admin's subscribers page searched, at
// 1,000,000 readers of whom one in five has an accent in the name
// ("Zoë Reader 5"): the first page and the count it shows, which scan
// the rows. A needle of ASCII, or one that folds to ASCII ("zoë"), is
// one instr a row; one of other letters a GLOB. The setup's insert, with
// migration 076's trigger folding the accented names, is logged. Run it
// with:
//
//	go test ./subscribers -run '^$' -bench SearchPage -benchtime 5x -timeout 30m
func BenchmarkSearchPage(b *testing.B) {
	benchSearchPage(b, "Zoë Reader ", []searchNeedle{
		{"ascii rare", "reader 123457"},
		{"ascii none", "marchetti"},
		{"accented many", "zoë reader"},
		{"accented rare", "zoë reader 500000"},
		{"unaccented rare", "zoe reader 500000"},
		{"cyrillic none", "дмитрий"},
		{"polytonic none", "ἀλέξανδρος"},
	})
}

// BenchmarkSearchPagePolytonic is BenchmarkSearchPage's search for names
// in polytonic Greek, at 1,000,000 readers of whom one in five is named
// "Ἀλέξανδρος Reader 5". A needle with a breathing was one instr and a
// GLOB a row, and one without found none; any of these is now one
// instr. The setup's insert is the triggers' fold of the Greek names,
// migration 086's. Run it with:
//
//	go test ./subscribers -run '^$' -bench SearchPagePolytonic -benchtime 3x -timeout 30m
func BenchmarkSearchPagePolytonic(b *testing.B) {
	benchSearchPage(b, "Ἀλέξανδρος Reader ", []searchNeedle{
		{"polytonic many", "ἀλέξανδρος reader"},
		{"polytonic rare", "Ἀλέξανδρος reader 500000"},
		{"monotonic rare", "αλεξανδρος reader 500000"},
		{"no accent rare", "ΑΛΕΞΑΝΔΡΟΣ READER 500000"},
	})
}

// A searchNeedle is a benchmark's search: its name and what is typed.
type searchNeedle struct{ name, q string }

// benchSearchPage searches 1,000,000 readers, one in five named accented
// and the number, the others "Reader " and theirs, for each needle.
func benchSearchPage(b *testing.B, accented string, needles []searchNeedle) {
	db := sqlitetest.Open(b)
	ctx := context.Background()
	insertBenchReaders(b, db, accented)
	s := NewStore(db)
	for _, q := range needles {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Newest(ctx, Filter{Q: q.q}, Cursor{}, Cursor{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// insertBenchReaders inserts 1,000,000 readers, one in five named
// accented and the number, the others "Reader " and theirs, through the
// triggers that fold the accented names, and logs the time it took.
func insertBenchReaders(b *testing.B, db *sqlite.DB, accented string) {
	const n = 1_000_000
	start := time.Now()
	_, err := db.Write.ExecContext(context.Background(), `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com',
			CASE WHEN i % 5 = 0 THEN ? ELSE 'Reader ' END || i, 'confirmed',
			strftime('%Y-%m-%d %H:%M:%f+00:00', '2025-01-01', '+' || (i * 30) || ' seconds'), '2025-01-01 00:00:00+00:00'
		FROM c`, n, accented)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("inserted %d readers in %v", n, time.Since(start).Round(time.Millisecond))
}
