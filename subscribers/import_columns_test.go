package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A Mailchimp export names its readers in First Name and Last Name: with
// no name column, they make the name, however the header writes them.
// The columns the import does not read are listed in the report.
func TestImportFirstAndLastName(t *testing.T) {
	for _, head := range []string{"First Name,Last Name", "first_name,last_name", "FIRSTNAME,LASTNAME", "first name,Last_Name"} {
		s := newStore(t)
		ctx := context.Background()
		in := "Email Address," + head + ",Phone Number,MEMBER_RATING\n" +
			"ann@example.com,Ann,Lee,555,2\n" +
			"bo@example.com,Bo,,555,2\n" +
			"cy@example.com,,Cy,555,2\n"
		rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 3 {
			t.Errorf("%s: report %+v", head, rep)
		}
		if diff := cmp.Diff([]string{"Phone Number", "MEMBER_RATING"}, rep.IgnoredColumns); diff != "" {
			t.Errorf("%s: ignored columns (-want +got):\n%s", head, diff)
		}
		page, _, err := s.List(ctx, Filter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for _, sub := range page {
			names[sub.Email] = sub.Name
		}
		want := map[string]string{"ann@example.com": "Ann Lee", "bo@example.com": "Bo", "cy@example.com": "Cy"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("%s: names (-want +got):\n%s", head, diff)
		}
	}
}

// A name column wins over First Name and Last Name, which are then
// columns the import does not read, and say so.
func TestImportNameColumnWinsOverFirstAndLast(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	rep, err := s.Import(ctx, strings.NewReader("email,First Name,name,Last Name\nann@example.com,A,Ann Lee,L\n"), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"First Name", "Last Name"}, rep.IgnoredColumns); diff != "" {
		t.Errorf("ignored columns (-want +got):\n%s", diff)
	}
	page, _, err := s.List(ctx, Filter{Limit: 10})
	if err != nil || len(page) != 1 || page[0].Name != "Ann Lee" {
		t.Errorf("stored %+v, %v; want Ann Lee", page, err)
	}
}

// Two email columns leave it to chance which address is a reader's: the
// import stops before any row, naming both columns.
func TestImportTwoEmailColumnsStops(t *testing.T) {
	s := newStore(t)
	rep, err := s.Import(context.Background(), strings.NewReader("email,name,Email Address\nann@example.com,Ann,ann@work.example\n"), ImportOptions{List: "news"})
	if bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("err %v, report %+v; want the import stopped", err, rep)
	}
	msg := bulletin.ErrorMessage(err)
	if !strings.Contains(msg, "“email”") || !strings.Contains(msg, "“Email Address”") {
		t.Errorf("message %q does not name both columns", msg)
	}
	if rep.Added != 0 {
		t.Errorf("%d added", rep.Added)
	}
}
