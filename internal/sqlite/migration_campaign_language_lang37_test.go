package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A database at 084 gets each campaign's language: those started already
// (sent, sending, paused, cancelled; digests too) the publication's
// language in force then, as the archive showed them, "en" when it has
// none; drafts and scheduled campaigns none, as they take the language
// set when they start.
func TestCampaignLanguageBackfilled(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings string // the statement that sets the language, if any
		want     string
	}{
		{"language set", `INSERT INTO settings (id, name, language, updated_at) VALUES (1, 'Le Quai', 'pt-BR', ?)`, "pt-BR"},
		{"language empty", `INSERT INTO settings (id, name, language, updated_at) VALUES (1, 'The Quay', '', ?)`, "en"},
		{"no settings", "", "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "bulletin.db")
			db := open(t, path)
			at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
			qs := []string{
				`ALTER TABLE campaigns DROP COLUMN language`,
				`DELETE FROM migrations WHERE name = 'migration/085_campaign_language.sql'`,
				`INSERT INTO campaigns (id, kind, subject, status, created_at, updated_at, started_at, finished_at) VALUES
					(1, 'campaign', 'Sent', 'sent', ?1, ?1, ?1, ?1),
					(2, 'digest', 'Digest', 'sent', ?1, ?1, ?1, ?1),
					(3, 'campaign', 'Sending', 'sending', ?1, ?1, ?1, NULL),
					(4, 'campaign', 'Paused', 'paused', ?1, ?1, ?1, NULL),
					(5, 'campaign', 'Cancelled', 'cancelled', ?1, ?1, ?1, ?1),
					(6, 'campaign', 'Never', 'cancelled', ?1, ?1, NULL, ?1),
					(7, 'campaign', 'Draft', 'draft', ?1, ?1, NULL, NULL),
					(8, 'campaign', 'Scheduled', 'scheduled', ?1, ?1, NULL, NULL)`,
			}
			if tc.settings != "" {
				qs = append(qs, tc.settings)
			}
			for _, q := range qs {
				if _, err := db.Write.ExecContext(ctx, q, at); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()

			db = open(t, path)
			defer db.Close()
			got := column(t, db.Read, `SELECT subject || ' ' || language FROM campaigns ORDER BY id`)
			w := tc.want
			want := []string{"Sent " + w, "Digest " + w, "Sending " + w, "Paused " + w, "Cancelled " + w, "Never ", "Draft ", "Scheduled "}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("campaigns' languages after the migration (-want +got):\n%s", diff)
			}
			// NOT NULL: a campaign with no language has "", never NULL.
			if _, err := db.Write.ExecContext(ctx, `UPDATE campaigns SET language = NULL WHERE id = 7`); err == nil {
				t.Error("language took NULL")
			}
		})
	}
}
