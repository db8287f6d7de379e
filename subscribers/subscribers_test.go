package subscribers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	db := sqlitetest.Open(t)
	s := NewStore(db)
	s.SetSecret([]byte("test secret that is long enough!"))
	for _, l := range []*List{{Slug: "news", Name: "News", Public: true}, {Slug: "staff", Name: "Staff"}} {
		if err := s.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want, msg string }{
		{"  Ann.Lee@Example.COM ", "Ann.Lee@example.com", ""},
		{"ann+tag@example.co.uk", "ann+tag@example.co.uk", ""},
		{"ann@example.com\r\nBcc: x@example.com", "", "x"},
		{"Ann <ann@example.com>", "", "x"},
		{`"ann"@example.com`, "", "x"},
		{"ann@@example.com", "", "x"},
		{"ann@example", "", "x"},
		{strings.Repeat("a", 250) + "@e.com", "", "x"},
		{"", "", "x"},
	}
	for _, tt := range tests {
		got, msg := NormalizeEmail(tt.in)
		if got != tt.want || (msg == "") != (tt.msg == "") {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want %q", tt.in, got, msg, tt.want)
		}
	}
}

func TestSignerRejectsTampering(t *testing.T) {
	s := NewSigner([]byte("k"))
	tok := s.Sign(TokenUnsubscribe, 42, 0)
	if id, err := s.Verify(TokenUnsubscribe, tok); err != nil || id != 42 {
		t.Fatalf("Verify = %d, %v", id, err)
	}
	b := []byte(tok)
	b[3] ^= 1
	for _, bad := range []string{string(b), tok[:len(tok)-1], "", strings.Repeat("A", len(tok))} {
		if _, err := s.Verify(TokenUnsubscribe, bad); err == nil {
			t.Errorf("Verify(%q) passed", bad)
		}
	}
	if _, err := s.Verify(TokenPreferences, tok); err == nil {
		t.Error("a token passed for another purpose")
	}
	if _, err := NewSigner([]byte("other")).Verify(TokenUnsubscribe, tok); err == nil {
		t.Error("a token passed under another secret")
	}
	exp := s.Sign(TokenConfirm, 7, time.Hour)
	s.now = func() time.Time { return time.Now().Add(3 * time.Hour) }
	if _, err := s.Verify(TokenConfirm, exp); err == nil {
		t.Error("an expired token passed")
	}
}

func TestImportReportsByLineAndKeepsGoodRows(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	gone, err := s.Create(ctx, &NewSubscriber{Email: "gone@example.com", Status: StatusConfirmed})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	left, _ := s.Create(ctx, &NewSubscriber{Email: "left@example.com", Status: StatusUnsubscribed})
	csv := "Name,Email\n" +
		"Ann,ann@example.com\n" + // 2 added
		"Bad,not-an-address\n" + // 3 invalid
		"Ann again,ANN@example.com\n" + // 4 repeat
		"Gone,gone@example.com\n" + // 5 erased
		"Left,left@example.com\n" + // 6 unsubscribed
		"Bo \"x\" Q,bo@example.com\n" + // 7 malformed CSV
		"Cy,cy@example.com\n" // 8 added
	rep, err := s.Import(ctx, strings.NewReader(csv), ImportOptions{List: "news", Confirmed: true, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := struct{ Added, Updated, Skipped, Invalid int }{rep.Added, rep.Updated, rep.Skipped, rep.Invalid}
	if diff := cmp.Diff(struct{ Added, Updated, Skipped, Invalid int }{2, 0, 3, 2}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	lines := func(notes []LineNote) []int {
		var out []int
		for _, n := range notes {
			out = append(out, n.Line)
		}
		return out
	}
	if diff := cmp.Diff([]int{3, 7}, lines(rep.InvalidLines)); diff != "" {
		t.Errorf("invalid lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{4, 5, 6}, lines(rep.SkippedLines)); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	if sub, _ := s.Get(ctx, left.ID); sub.Status != StatusUnsubscribed {
		t.Errorf("import revived an unsubscribed reader: %s", sub.Status)
	}
	// Again, with a new name that replaces hers (OverwriteNames): one
	// update.
	rep, err = s.Import(ctx, strings.NewReader("email,name\nann@example.com,Ann Lee\ncy@example.com,Cy\n"), ImportOptions{List: "news", OverwriteNames: true})
	if err != nil || rep.Updated != 1 || rep.Skipped != 1 {
		t.Errorf("re-import: %+v, %v", rep, err)
	}
}
