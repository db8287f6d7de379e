package subscribers

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// ByEmail finds a subscriber by their address in any case of its ASCII
// letters, through the address's key; an address no one has, or text
// that is no address, is not found.
func TestByEmail(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ann, err := s.Create(ctx, &NewSubscriber{Email: "Ann.Reader@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"ann.reader@example.com", " ANN.READER@EXAMPLE.COM "} {
		got, err := s.ByEmail(ctx, email)
		if err != nil || got.ID != ann.ID {
			t.Errorf("ByEmail(%q) = %+v, %v; want subscriber %d", email, got, err, ann.ID)
		}
	}
	for _, email := range []string{"bob@example.com", "not an address", ""} {
		if got, err := s.ByEmail(ctx, email); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			t.Errorf("ByEmail(%q) = %+v, %v; want not found", email, got, err)
		}
	}
}
