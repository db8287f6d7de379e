package subscribers

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The lists a confirmation mail names: for a pending reader those it is
// joining (not those it left), and for anyone those of its waiting request
// it is not active on, in list order, each once; a deleted list is left
// out.
func TestConfirmationMailLists(t *testing.T) {
	s := newStore(t) // lists 1 news, 2 staff
	ctx := context.Background()
	for _, l := range []*List{{Slug: "sport", Name: "Sport"}, {Slug: "arts", Name: "Arts"}} { // 3, 4
		if err := s.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	// subscriptions per reader: list id -> status
	tests := []struct {
		name   string
		status string
		subs   map[int64]string
		req    string
		want   []string
	}{
		{"pending joining two", "pending", map[int64]string{3: "pending", 1: "pending"}, "[]", []string{"News", "Sport"}},
		{"pending that left one", "pending", map[int64]string{1: "pending", 2: "unsubscribed"}, "[]", []string{"News"}},
		{"pending with a request", "pending", map[int64]string{1: "pending"}, "[4, 1]", []string{"News", "Arts"}},
		{"confirmed asking for one more", "confirmed", map[int64]string{1: "active", 2: "active"}, "[1, 3]", []string{"Sport"}},
		{"confirmed back to a list it left", "confirmed", map[int64]string{1: "active", 2: "unsubscribed"}, "[2]", []string{"Staff"}},
		{"unsubscribed asking again", "unsubscribed", map[int64]string{1: "unsubscribed"}, "[1]", []string{"News"}},
		{"confirmed with pending lists, no request", "confirmed", map[int64]string{1: "pending"}, "[]", nil},
		{"a deleted list in the request", "confirmed", map[int64]string{}, "[99, 4]", []string{"Arts"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := int64(100 + i)
			var got []string
			err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				now := time.Now().UTC()
				if _, err := tx.Exec(`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
					id, tt.name+"@example.com", tt.name+"@example.com", tt.status, now, now); err != nil {
					return err
				}
				for lid, st := range tt.subs {
					if _, err := tx.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
						id, lid, st, now, now); err != nil {
						return err
					}
				}
				names, err := listNames(ctx, tx)
				if err != nil {
					return err
				}
				subs, err := subscriptionsOf(ctx, tx, []int64{id})
				if err != nil {
					return err
				}
				got, err = mailLists(names, subs[id], tt.status, tt.req)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lists named (-want +got):\n%s", diff)
			}
		})
	}
}
