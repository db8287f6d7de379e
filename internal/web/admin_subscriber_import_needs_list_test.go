package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A file without a lists column, uploaded with the list menu at "only the
// lists in the file", is refused before the import starts: the form
// again, its list menu marked with the message beside it, saying once to
// choose the file again, and the consent box as it was. It used to start
// the import and show "Import stopped", from which the editor went back
// to a blank form. The form's help says it before the upload.
func TestAdminImportWithoutListsColumnAsksForAList(t *testing.T) {
	e := newAdminSubEnv(t)
	_, form := e.a.get("/admin/subscribers/import")
	if want := "A file without a <code>lists</code> column needs a list chosen below."; !strings.Contains(form, want) {
		t.Errorf("the form's help does not say %q:\n%s", want, form)
	}

	file := "E-mail;Name\nrenee@example.com;Renée Dubois\n"
	resp, body := e.upload(file, url.Values{"confirmed": {"on"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload without a list = %d to %q, want 422, the form again:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	text := html.UnescapeString(body)
	if m := regexp.MustCompile(`<select id="list"[^>]*>`).FindString(body); !strings.Contains(m, `aria-invalid="true"`) ||
		!strings.Contains(m, `aria-describedby="list-error"`) || !strings.Contains(m, "var(--err)") {
		t.Errorf("the list menu is not marked: %s", m)
	}
	listError := regexp.MustCompile(`(?s)</select>\s*<p class="error" id="list-error"[^>]*>([^<]*)</p>`).FindStringSubmatch(body)
	if listError == nil || !strings.Contains(listError[1], "no lists column") {
		t.Errorf("no error beside the list menu that names the missing lists column:\n%s", body)
	}
	if n := strings.Count(strings.ToLower(text), "choose the file again"); n != 1 {
		t.Errorf("the page says %d times to choose the file again, want once:\n%s", n, body)
	}
	if strings.Contains(body, "Import stopped") || strings.Contains(body, `<p class="error" role="alert">`) {
		t.Errorf("the refusal is a stopped import, or a second message at the top:\n%s", body)
	}
	if !regexp.MustCompile(`name="confirmed" value="on" checked`).MatchString(body) {
		t.Error("the consent box ticked is not kept")
	}
	if sub := e.byEmail("renee@example.com"); sub != nil {
		t.Errorf("stored %+v from the refused file", sub)
	}

	// With a list chosen, the same file imports.
	report := e.importReport(file, url.Values{"list": {"daily-news"}, "confirmed": {"on"}})
	if !strings.Contains(report, `<div class="stat">1</div>Added`) {
		t.Fatalf("import with a list:\n%s", report)
	}
	sub := e.byEmail("renee@example.com")
	if sub == nil || sub.Name != "Renée Dubois" || len(sub.Lists) != 1 || sub.Lists[0] != "daily-news" {
		t.Errorf("stored %+v, want Renée Dubois on daily-news", sub)
	}
	// A file with a lists column needs no list.
	if report := e.importReport("email,lists\nbo@example.com,weekend-culture\n", nil); !strings.Contains(report, `<div class="stat">1</div>Added`) {
		t.Errorf("import of a file with a lists column:\n%s", report)
	}
}

// NeedsList says what Import would: only a file whose first line of CSV
// has an email column (or is a reader's row) and no lists column needs
// a list; one the import refuses for another reason does not.
func TestNeedsListAgreesWithImport(t *testing.T) {
	e := newAdminSubEnv(t)
	for _, file := range []string{
		"E-mail;Name\nann@example.com;Ann\n",
		"\uFEFFemail,name\nann@example.com,Ann\n",
		"sep=;\nemail;name\nann@example.com;Ann\n",
		"ann@example.com,Ann\n",
		"\"unclosed,\nann@example.com,Ann\n",
		"email,lists\nann@example.com,daily-news\n",
		"name,lists\nAnn,daily-news\n",
		"Name\tMail\nAnn\tann@example.com\n",
		"",
		"\n\n",
	} {
		_, err := e.store.Import(context.Background(), strings.NewReader(file), subscribers.ImportOptions{})
		want := err != nil && strings.Contains(err.Error(), "no lists column")
		if got := subscribers.NeedsList(strings.NewReader(file)); got != want {
			t.Errorf("NeedsList(%q) = %v; Import says %v", file, got, err)
		}
	}
}
