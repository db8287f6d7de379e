package web

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A link to a deleted list, or with a status typed by hand, is read
// alike by the page and its export: the page names the filter it drops,
// and the export refuses it with what to fix (422), where a deleted
// list's export was a file with no reader in it, as if the list had been
// empty, while a bad status was refused. A slug or status in another
// case is read as the page reads it.
func TestAdminSubscribersUnknownFilterPageAndExportAgree(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "bulk", Name: "Bulk"}); err != nil {
		t.Fatal(err)
	}
	e.addReader("ann@example.com", "daily-news")
	e.addReader("bo@example.com", "bulk")
	if err := e.store.DeleteList(ctx, "bulk"); err != nil {
		t.Fatal(err)
	}

	_, page := e.a.get("/admin/subscribers?list=bulk")
	if text := html.UnescapeString(page); !strings.Contains(text, `role="alert">The link's list “bulk” is no list now`) {
		t.Errorf("the page does not name the deleted list:\n%s", page)
	}
	for _, tt := range []struct{ query, want string }{
		{"list=bulk", "There is no list “bulk” now (it was deleted, or its slug changed): choose a list on the Subscribers page, or export every list's subscribers."},
		{"status=weird", "There is no status “weird”: use pending, confirmed, unsubscribed or bounced."},
		{"status=weird&list=bulk", "There is no status “weird”: use pending, confirmed, unsubscribed or bounced. There is no list “bulk”"},
	} {
		resp, body := e.a.get("/admin/subscribers/export?" + tt.query)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), tt.want) ||
			strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("export?%s = %d %q; want 422 saying %q:\n%s", tt.query, resp.StatusCode, resp.Header.Get("Content-Type"), tt.want, body)
		}
	}

	rows, err := csv.NewReader(strings.NewReader(exportOK(t, e.a, "/admin/subscribers/export?list=Daily-News&status=CONFIRMED"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if diff := cmp.Diff([]string{"ann@example.com"}, got); diff != "" {
		t.Errorf("export?list=Daily-News&status=CONFIRMED (-want +got):\n%s", diff)
	}
}
