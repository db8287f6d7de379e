package subscribers

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An address is found as people read it, its domain in Unicode, though it
// is stored in its xn-- form: "exämple", "frank@exämple.com" and
// "EXÄMPLE.COM" find frank@exämple.com, which only "xn--" found. A name
// with the same letters is still found, and a query whose domain is
// ASCII is looked for as typed.
func TestListQFindsAddressWithUnicodeDomain(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, n := range []*NewSubscriber{
		{Email: "frank@exämple.com", Name: "Frank", Status: StatusConfirmed},
		{Email: "ann@example.com", Name: "Ann Exämple", Status: StatusConfirmed},
		{Email: "yuki@例え.jp", Name: "Yuki", Status: StatusConfirmed},
	} {
		if _, err := s.Create(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"exämple", []string{"frank@xn--exmple-cua.com", "ann@example.com"}},
		{"frank@exämple.com", []string{"frank@xn--exmple-cua.com"}},
		{"Frank@EXÄMPLE.COM", []string{"frank@xn--exmple-cua.com"}},
		{"@exämple.com", []string{"frank@xn--exmple-cua.com"}},
		{"xn--exmple", []string{"frank@xn--exmple-cua.com"}},
		{"例え.jp", []string{"yuki@xn--r8jz45g.jp"}},
		{"example.com", []string{"ann@example.com"}},
		{"fränk@example.com", nil},
	} {
		page, _, err := s.List(ctx, Filter{Q: tt.q})
		if err != nil {
			t.Fatalf("q=%q: %v", tt.q, err)
		}
		var got []string
		for _, sub := range page {
			got = append(got, sub.Email)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("q=%q (-want +got):\n%s", tt.q, diff)
		}
	}
}
