package subscribers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// BenchmarkNameFoldTrigger is the cost of an insert of a subscriber whose
// name the triggers fold, with migration 088's triggers ("088") and with
// 086's put back ("086"), which no SQLite before 3.46 could parse, and
// with none ("none"), for a Latin, a Greek and a polytonic Greek name,
// each insert in one transaction per 1,000. Run it with:
//
//	go test ./subscribers -run '^$' -bench NameFoldTrigger -benchtime 20000x
func BenchmarkNameFoldTrigger(b *testing.B) {
	ctx := context.Background()
	for _, triggers := range []string{"088", "086", "none"} {
		for _, kind := range []struct{ name, first string }{
			{"latin", "Zoë Søren "}, {"greek", "Σωκράτης Reader "}, {"polytonic", "Ἀλέξανδρος Reader "},
		} {
			b.Run(triggers+"/"+kind.name, func(b *testing.B) {
				db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bulletin.db"))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				switch triggers {
				case "086":
					m := migration086(b)
					if _, err := db.Write.ExecContext(ctx, m[strings.Index(m, "DROP TRIGGER"):strings.LastIndex(m, "END;")+len("END;")]); err != nil {
						b.Fatal(err)
					}
				case "none":
					if _, err := db.Write.ExecContext(ctx, `DROP TRIGGER subscribers_name_fold_insert`); err != nil {
						b.Fatal(err)
					}
				}
				conn, err := db.Write.Conn(ctx)
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close()
				i := 0
				for b.Loop() {
					if i%1000 == 0 {
						if i > 0 {
							if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
								b.Fatal(err)
							}
						}
						if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
							b.Fatal(err)
						}
					}
					email := fmt.Sprint("reader", i, "@example.com")
					if _, err := conn.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, name, created_at, updated_at)
						VALUES (?, ?, ?, '2026-01-01', '2026-01-01')`, email, email, kind.first+fmt.Sprint(i)); err != nil {
						b.Fatal(err)
					}
					i++
				}
				if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
