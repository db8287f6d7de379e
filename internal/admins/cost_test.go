package admins

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A store that no test lowered hashes every password at bcrypt's default
// cost and checks an unknown email against a
// hash of the same cost, so that a login takes as long either way.
func TestPasswordsAreHashedAtTheDefaultCost(t *testing.T) {
	ctx := context.Background()
	s := NewStore(sqlitetest.Open(t))
	if _, err := s.SetAdmin(ctx, "ed@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := s.db.Read.QueryRow(`SELECT password_hash FROM admins`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if got, err := bcrypt.Cost([]byte(hash)); err != nil || got != bcrypt.DefaultCost {
		t.Errorf("SetAdmin stored a hash of cost %d (%v), want %d", got, err, bcrypt.DefaultCost)
	}
	if _, _, err := s.Login(ctx, "127.0.0.1", "nobody@example.com", "correct horse battery"); err == nil {
		t.Fatal("an unknown email logged in")
	}
	if got, err := bcrypt.Cost(s.dummyHash()); err != nil || got != bcrypt.DefaultCost {
		t.Errorf("the unknown email's hash has cost %d (%v), want %d", got, err, bcrypt.DefaultCost)
	}

	low := NewStore(sqlitetest.Open(t))
	low.Cost = bcrypt.MinCost
	if got, err := bcrypt.Cost(low.dummyHash()); err != nil || got != bcrypt.MinCost {
		t.Errorf("a store at cost %d checks unknown emails at cost %d (%v)", bcrypt.MinCost, got, err)
	}
}
