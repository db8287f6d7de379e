package subscribers

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// BenchmarkNewestPage is the admin's subscribers page at 1,000,000
// readers (nine in ten confirmed): the first page, the page older than
// the middle one, and the first page of the confirmed, each with the
// count it shows. "no index" drops migration 069's two indexes first, as
// the database was before it. Run it with:
//
//	go test ./subscribers -run '^$' -bench NewestPage -benchtime 20x
func BenchmarkNewestPage(b *testing.B) {
	db := sqlitetest.Open(b)
	ctx := context.Background()
	const n = 1_000_000
	_, err := db.Write.ExecContext(ctx, `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'Reader ' || i,
			CASE WHEN i % 10 = 0 THEN 'unsubscribed' ELSE 'confirmed' END,
			strftime('%Y-%m-%d %H:%M:%f+00:00', '2025-01-01', '+' || (i * 30) || ' seconds'), '2025-01-01 00:00:00+00:00'
		FROM c`, n)
	if err != nil {
		b.Fatal(err)
	}
	s := NewStore(db)
	for _, index := range []string{"index", "no index"} {
		if index == "no index" {
			if _, err := db.Write.ExecContext(ctx, `DROP INDEX subscribers_created; DROP INDEX subscribers_status_created`); err != nil {
				b.Fatal(err)
			}
		}
		for _, page := range []struct {
			name   string
			f      Filter
			before Cursor
		}{
			{"first", Filter{}, Cursor{}},
			{"middle", Filter{}, Cursor{ID: n / 2}},
			{"confirmed", Filter{Status: "confirmed"}, Cursor{}},
		} {
			b.Run(index+"/"+page.name, func(b *testing.B) {
				for b.Loop() {
					p, err := s.Newest(ctx, page.f, page.before, Cursor{})
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Items) != 50 {
						b.Fatalf("a page of %d readers", len(p.Items))
					}
				}
			})
		}
	}
}
