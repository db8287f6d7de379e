package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/subscribers"
)

// An editor who sends a test from the campaign page with no address (or
// more than ten) must be told what to send instead, not only "Some
// fields need fixing.".
func TestAdminTestSendErrorSaysWhatToFix(t *testing.T) {
	_, a, _, token := campaignServer(t)
	page, _ := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi","lists":["news"]}`)
	a.login("correct horse battery")
	csrf := a.csrfOf(page)
	eleven := strings.Repeat("a@example.com, ", 10) + "b@example.com"
	for _, to := range []string{"", eleven} {
		resp, body := a.postBody(page+"/test", url.Values{"csrf": {csrf}, "to": {to}})
		got := html.UnescapeString(body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "1 to 10 addresses") {
			i := strings.Index(got, `class="error"`)
			t.Errorf("test send to %d addresses = %d, page says %q; want a 422 saying to give from 1 to 10 addresses",
				len(strings.FieldsFunc(to, func(r rune) bool { return r == ',' || r == ' ' })), resp.StatusCode, got[max(i, 0):min(max(i, 0)+120, len(got))])
		}
	}
}

// The To field of the test form is the one at fault: it is marked
// invalid, its reason stands under it, and what the editor typed is still
// there to correct.
func TestAdminTestSendMarksTheToField(t *testing.T) {
	_, a, out, token := campaignServer(t)
	page, _ := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi","lists":["news"]}`)
	a.login("correct horse battery")
	csrf := a.csrfOf(page)
	for _, tc := range []struct{ to, why string }{
		{"", "Give from 1 to 10 addresses."},
		{"ed@example.com, not-an-address", `"not-an-address"`},
	} {
		resp, body := a.postBody(page+"/test", url.Values{"csrf": {csrf}, "to": {tc.to}})
		got := html.UnescapeString(body)
		form := body[max(strings.Index(body, "Send a test"), 0):]
		form = form[:max(strings.Index(form, "</form>"), 0)]
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("test send to %q = %d, want 422", tc.to, resp.StatusCode)
		}
		if !strings.Contains(body, `id="to" type="text" name="to" value="`+html.EscapeString(tc.to)+`"`) || !strings.Contains(body, `aria-invalid="true" aria-describedby="to-error"`) {
			t.Errorf("test send to %q: the To field is not marked invalid with what was typed:\n%s", tc.to, form)
		}
		if !strings.Contains(got, `<p class="error" id="to-error">`) || !strings.Contains(got, tc.why) {
			t.Errorf("test send to %q: no reason %q under the To field:\n%s", tc.to, tc.why, form)
		}
	}
	if names, _ := out.List(0); len(names) != 0 {
		t.Errorf("%d test mails went out; want none", len(names))
	}
	// A good test send still goes, and the page it leads to marks nothing;
	// addresses may be split by semicolons as mail programs copy them.
	if resp := a.post(page+"/test", url.Values{"csrf": {csrf}, "to": {"ed@example.com; fay@example.com"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test send to ed@example.com; fay@example.com = %d, want 303", resp.StatusCode)
	}
	if names, _ := out.List(0); len(names) != 2 {
		t.Errorf("%d test mails went out to two addresses split by a semicolon", len(names))
	}
	if _, body := a.get(page); strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("the campaign page marks a field invalid with no error:\n%s", body)
	}
}

// A page without a slot for a field puts each field's reason in its
// message, in the order of the fields' names, so that the editor learns
// what to fix.
func TestCampaignErrorNamesFields(t *testing.T) {
	err := bulletin.Invalid(map[string]string{"subject": "is required", "body": "is over 512 KiB", "to": "give from 1 to 10 addresses"})
	msg, marked := campaignError("It could not be duplicated: ", refusedForm, err)
	if want := "It could not be duplicated: Body: is over 512 KiB. Subject: is required. To: give from 1 to 10 addresses."; msg != want || marked != nil {
		t.Errorf("campaignError = %q %v, want %q and no field marked", msg, marked, want)
	}
	msg, marked = campaignError("", refusedForm, err, "to")
	if want := "Nothing was saved: fix the fields marked below. Body: is over 512 KiB. Subject: is required."; msg != want || !reflect.DeepEqual(marked, map[string]string{"to": "give from 1 to 10 addresses"}) {
		t.Errorf("campaignError with a slot for to = %q %v, want %q and to marked", msg, marked, want)
	}
	conflict := bulletin.Errorf(bulletin.ECONFLICT, "Campaign 3 is sent.")
	if msg, marked := campaignError("", refusedForm, conflict, "to"); msg != "Campaign 3 is sent." || marked != nil {
		t.Errorf("campaignError of a conflict = %q %v", msg, marked)
	}
}

// "Any campaign can be duplicated into a new draft." Deleting a list
// takes it out of every campaign that is over (sent or cancelled); such a
// campaign can still be duplicated, into a draft without lists.
func TestDuplicateAfterItsListWasDeleted(t *testing.T) {
	s, a, _, token := campaignServer(t)
	// Scheduled: a draft has nothing to cancel.
	_, path := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi {{ .Name }}","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	if code, got := apiCall(t, a.base, token, "POST", path+"/cancel", ""); code != 200 {
		t.Fatalf("cancel = %d %v", code, got)
	}
	if err := s.Subscribers.DeleteList(context.Background(), "news"); err != nil {
		t.Fatalf("delete the list of a cancelled campaign: %v", err)
	}
	code, got := apiCall(t, a.base, token, "POST", path+"/duplicate", "")
	if code != http.StatusCreated {
		t.Errorf("duplicate of a campaign whose list was deleted = %d %v, want 201 and a new draft", code, got)
	}
}

// The draft a campaign whose lists were partly deleted duplicates into
// keeps the lists that are left; one whose lists are all gone is a draft
// without lists, which reads back and shows, but is neither sent,
// scheduled nor saved until it names a list.
func TestDuplicateKeepsTheListsLeft(t *testing.T) {
	s, a, _, token := campaignServer(t)
	ctx := context.Background()
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "harbour", Name: "Harbour", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "zoe@example.com", Name: "Zoë", Status: "confirmed", Lists: []string{"harbour"}}); err != nil {
		t.Fatal(err)
	}
	// Scheduled: a draft has nothing to cancel.
	both := `{"subject":"Bridge","preheader":"Works","body":"Hi {{ .Name }}","lists":["news","harbour"],"send_at":"2099-01-01T09:00:00Z"}`
	_, path := createCampaign(t, a, token, both)
	if code, got := apiCall(t, a.base, token, "POST", path+"/cancel", ""); code != 200 {
		t.Fatalf("cancel = %d %v", code, got)
	}
	if err := s.Subscribers.DeleteList(ctx, "news"); err != nil {
		t.Fatalf("delete list news: %v", err)
	}
	code, dup := apiCall(t, a.base, token, "POST", path+"/duplicate", "")
	if code != http.StatusCreated || dup["status"] != "draft" || dup["subject"] != "Copy of Bridge" || dup["preheader"] != "Works" ||
		!reflect.DeepEqual(dup["lists"], []any{"harbour"}) || dup["audience"] != float64(1) {
		t.Errorf("duplicate with news deleted = %d %v, want a draft \"Copy of Bridge\" to harbour, reaching 1 reader", code, dup)
	}

	if err := s.Subscribers.DeleteList(ctx, "harbour"); err != nil {
		t.Fatalf("delete list harbour: %v", err)
	}
	code, bare := apiCall(t, a.base, token, "POST", path+"/duplicate", "")
	if code != http.StatusCreated || bare["status"] != "draft" || !reflect.DeepEqual(bare["lists"], []any{}) {
		t.Fatalf("duplicate with every list deleted = %d %v, want a draft with lists []", code, bare)
	}
	barePath := "/api/v1/campaigns/" + strconv.Itoa(int(bare["id"].(float64)))
	if code, got := apiCall(t, a.base, token, "GET", barePath, ""); code != 200 || !reflect.DeepEqual(got["lists"], []any{}) {
		t.Errorf("GET the draft without lists = %d %v", code, got)
	}
	for _, step := range []struct{ method, path, body string }{
		{"POST", barePath + "/send", ""},
		{"PATCH", barePath, `{"send_at":"2099-01-01T09:00:00Z"}`},
		{"PATCH", barePath, `{"subject":"Bridge again"}`},
	} {
		code, got := apiCall(t, a.base, token, step.method, step.path, step.body)
		fields, _ := got["fields"].(map[string]any)
		if code != http.StatusUnprocessableEntity || fmt_(fields["lists"]) == "" {
			t.Errorf("%s %s %s of a draft without lists = %d %v, want 422 on lists", step.method, step.path, step.body, code, got)
		}
		if strings.HasSuffix(step.path, "/send") && fields["lists"] != campaigns.NoListMessage {
			t.Errorf("send of a draft without lists says %q, want %q", fields["lists"], campaigns.NoListMessage)
		}
	}
	if code, got := apiCall(t, a.base, token, "GET", barePath, ""); code != 200 || got["status"] != "draft" || got["subject"] != "Copy of Bridge" {
		t.Errorf("after the refusals the draft = %d %v, want it unchanged", code, got)
	}
	// The admin page's send says so too.
	a.login("correct horse battery")
	sendPage := "/admin/campaigns/" + strconv.Itoa(int(bare["id"].(float64))) + "/send"
	if resp, send := a.get(sendPage); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(send, "This campaign has no list") {
		t.Errorf("GET %s of the draft without lists = %d, want 422 saying it has no list:\n%s", sendPage, resp.StatusCode, send)
	}
	// Naming a list makes it a campaign like any other.
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "bay", Name: "Bay"}); err != nil {
		t.Fatal(err)
	}
	if code, got := apiCall(t, a.base, token, "PATCH", barePath, `{"lists":["bay"]}`); code != 200 || !reflect.DeepEqual(got["lists"], []any{"bay"}) {
		t.Errorf("PATCH lists [bay] of the draft without lists = %d %v, want 200 and the list", code, got)
	}
	dupPath := "/api/v1/campaigns/" + strconv.Itoa(int(dup["id"].(float64)))
	if code, got := apiCall(t, a.base, token, "GET", dupPath, ""); code != 200 || !reflect.DeepEqual(got["lists"], []any{}) {
		t.Errorf("the first duplicate after harbour was deleted too = %d %v, want lists []", code, got)
	}

	// The admin page shows the draft without lists, and its Duplicate
	// button makes another.
	page := "/admin/campaigns/" + strconv.Itoa(int(bare["id"].(float64)))
	resp, body := a.get(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Copy of Bridge") {
		t.Fatalf("GET %s = %d:\n%s", page, resp.StatusCode, body)
	}
	resp = a.post(page+"/duplicate", url.Values{"csrf": {csrfField.FindStringSubmatch(body)[1]}})
	if key, _, _ := flashSet(resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == page || key != "campaign-duplicated" {
		t.Errorf("admin duplicate of a draft without lists = %d to %q with the banner %q, want 303 to the new draft", resp.StatusCode, resp.Header.Get("Location"), key)
	}
}
