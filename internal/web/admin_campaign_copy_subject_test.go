package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A duplicate's subject starts "Copy of ", so that editors tell it in the
// list; sent unedited, every reader got "Copy of Issue #1: Harbour news"
// with no word of warning. The send page now warns while the subject
// still starts so, linking to the edit form, and stops once it is edited;
// a subject with "Copy of" further in is no copy's. Neither the page's
// button nor the API refuses the send: it may be the subject meant.
func TestAdminSendPageWarnsWhileACopysSubjectIsUnedited(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	resp := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Issue #1: Harbour news"}, "body": {"Hello"}, "lists": {"news"}})
	original := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	const warning = "The subject still starts with “Copy of”."
	if _, body := a.get(original + "/send"); strings.Contains(body, warning) || strings.Contains(body, `id="copy-subject"`) {
		t.Errorf("the original's send page warns of a copied subject:\n%s", body)
	}

	resp = a.post(original+"/duplicate", url.Values{"csrf": {csrf}})
	copyPage := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(copyPage, "/admin/campaigns/") || copyPage == original {
		t.Fatalf("duplicate = %d to %q", resp.StatusCode, copyPage)
	}
	copyPage = strings.SplitN(copyPage, "?", 2)[0]
	resp, body := a.get(copyPage + "/send")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the copy's send page = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<p><strong>Copy of Issue #1: Harbour news</strong></p>`,
		`<div id="copy-subject" role="alert"`,
		warning,
		"Every reader gets the mail under this subject as it stands",
		`<a href="` + copyPage + `/edit">Edit the subject</a> before you send`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the copy's send page lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(body, `action="`+copyPage+`/send"`) {
		t.Errorf("the copy's send page offers no send:\n%s", body)
	}

	for _, subject := range []string{"Issue #2: Harbour news", "A copy of the harbour master's letter", "Harbour news: Copy of the letter"} {
		form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {subject}, "body": {"Hello"}, "lists": {"news"}}
		if resp := a.post(copyPage+"/edit", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit the copy's subject to %q = %d", subject, resp.StatusCode)
		}
		if _, body := a.get(copyPage + "/send"); strings.Contains(body, warning) || strings.Contains(body, `id="copy-subject"`) {
			t.Errorf("the send page of a copy with the subject %q warns of a copied subject:\n%s", subject, body)
		}
	}

	// The API sends a copy unedited, as asked.
	code, dup := apiCall(t, a.base, token, "POST", "/api/v1/campaigns/"+strings.TrimPrefix(original, "/admin/campaigns/")+"/duplicate", "")
	if code != http.StatusCreated || dup["subject"] != "Copy of Issue #1: Harbour news" {
		t.Fatalf("duplicate = %d %v", code, dup)
	}
	id := strconv.Itoa(int(dup["id"].(float64)))
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns/"+id+"/send", ""); code != http.StatusOK || got["subject"] != "Copy of Issue #1: Harbour news" {
		t.Errorf("API send of an unedited copy = %d %v, want it sent as it is", code, got)
	}
}
