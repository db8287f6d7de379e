package subscribers

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Filter.Q matches a name ignoring case beyond ASCII, every case form of
// a letter included (Σ, σ and ς are one letter), while the pattern's
// wildcards in a query stand for themselves; the admin list and the CSV
// export, which share List, agree.
func TestListQIgnoresCaseBeyondASCII(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	people := map[string]string{ // email → name
		"elodie@example.com":   "Élodie Durand",
		"socrates@example.com": "Σωκράτης",
		"bracket@example.com":  "Zoë [admin]*",
		"zoe@example.com":      "Zoë Adams",
		"jurgen@example.com":   "JÜRGEN MÜLLER",
	}
	for email, name := range people {
		if _, err := s.Create(ctx, &NewSubscriber{Email: email, Name: name, Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"Élodie", []string{"elodie@example.com"}},
		{"élodie", []string{"elodie@example.com"}},
		{"ÉLODIE D", []string{"elodie@example.com"}},
		{"durand", []string{"elodie@example.com"}},
		{"ΣΩΚΡΆΤΗΣ", []string{"socrates@example.com"}},
		{"σωκράτησ", []string{"socrates@example.com"}},
		{"jürgen müller", []string{"jurgen@example.com"}},
		{"zoë [admin]*", []string{"bracket@example.com"}},
		{"zoë ?dams", nil},
		{"zoë*", nil},
		{"ZOË", []string{"bracket@example.com", "zoe@example.com"}},
		{strings.Repeat("é", MaxNameLen+1), nil},
	} {
		page, _, err := s.List(ctx, Filter{Q: tc.q, Limit: 10})
		if err != nil {
			t.Fatalf("q %q: %v", tc.q, err)
		}
		var got []string
		for _, sub := range page {
			got = append(got, sub.Email)
		}
		slices.Sort(got)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("q %q (-want +got):\n%s", tc.q, diff)
		}
	}
	var csv bytes.Buffer
	if n, err := s.ExportFiltered(ctx, &csv, Filter{Q: "élodie"}); err != nil || n != 1 || !strings.Contains(csv.String(), "Élodie Durand") {
		t.Errorf("CSV export of q élodie = %d rows, %v:\n%s", n, err, csv.String())
	}
}
