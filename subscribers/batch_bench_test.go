package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// BenchmarkSignupCommit is the group commit's database work alone: b.N
// new signups to one list, batch to a transaction, in a real SQLite file,
// through the *sql.Tx of sqlite.DB.Tx or the connection of ConnTx, which
// the commit loop uses. ns/op is per signup. Run it with:
//
//	go test ./subscribers -run '^$' -bench SignupCommit -benchtime 20000x
func BenchmarkSignupCommit(b *testing.B) {
	for _, batch := range []int{1, 2, 4} {
		for _, how := range []string{"Tx", "ConnTx"} {
			b.Run(fmt.Sprintf("%s/batch=%d", how, batch), func(b *testing.B) {
				db := sqlitetest.Open(b)
				s := NewStore(db)
				ctx := context.Background()
				if err := s.CreateList(ctx, &List{Slug: "news", Name: "News", Public: true}); err != nil {
					b.Fatal(err)
				}
				lists, err := s.resolveLists(ctx, []string{"news"}, true)
				if err != nil {
					b.Fatal(err)
				}
				run := func(fn func(q sqlite.Querier) error) error {
					if how == "Tx" {
						return db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx) })
					}
					return db.ConnTx(ctx, fn)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i += batch {
					err := run(func(q sqlite.Querier) error {
						for j := i; j < min(i+batch, b.N); j++ {
							in := &Signup{Email: fmt.Sprintf("reader%07d@example.com", j), Name: "Reader", Lists: []string{"news"}}
							if err := in.Normalize(); err != nil {
								return err
							}
							item, _, err := signupTx(ctx, q, in, lists, sqlite.Now())
							if err != nil {
								return err
							}
							if item == nil {
								return fmt.Errorf("signup %d stored nothing", j)
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
