package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// manyLists adds lists many-01 … many-n and returns their slugs.
func (e *adminSubEnv) manyLists(n int) []string {
	e.t.Helper()
	var slugs []string
	for i := 1; i <= n; i++ {
		l := &subscribers.List{Slug: fmt.Sprintf("many-%02d", i), Name: fmt.Sprintf("Many %02d", i), Public: true}
		if err := e.store.CreateList(context.Background(), l); err != nil {
			e.t.Fatal(err)
		}
		slugs = append(slugs, l.Slug)
	}
	return slugs
}

// quotedList is slugs as a JSON array.
func quotedList(slugs []string) string {
	b, _ := json.Marshal(slugs)
	return string(b)
}

// The API's add and change of a reader are held to the signup's limit
// of 50 lists, in its words: a 422 naming lists, beside the other faults,
// and nothing stored. They took any number, where a signup, an import and
// the preferences page take at most 50. 50 lists are taken.
func TestSubscriberAPIHoldsToFiftyLists(t *testing.T) {
	e := newAdminSubEnv(t)
	slugs := e.manyLists(51)
	w := e.api("POST", "/api/v1/subscribers", `{"email":"zoe@example.com","status":"confirmed","frequency":"hourly","lists":`+quotedList(slugs)+`}`)
	var got errorBody
	json.Unmarshal(w.Body.Bytes(), &got)
	want := map[string]string{"lists": "choose at most 50 lists", "frequency": "use daily or weekly"}
	if w.Code != http.StatusUnprocessableEntity || !cmp.Equal(got.Fields, want) {
		t.Errorf("POST with 51 lists and a bad frequency = %d %s, want 422 naming both", w.Code, w.Body)
	}
	if e.byEmail("zoe@example.com") != nil {
		t.Fatal("a reader was added on 51 lists")
	}
	w = e.api("POST", "/api/v1/subscribers", `{"email":"zoe@example.com","status":"confirmed","lists":`+quotedList(slugs[:50])+`}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST with 50 lists = %d %s, want 201", w.Code, w.Body)
	}
	id := e.byEmail("zoe@example.com").ID
	path := fmt.Sprintf("/api/v1/subscribers/%d", id)
	w = e.api("PATCH", path, `{"name":"Zoë","lists":`+quotedList(slugs)+`}`)
	got = errorBody{}
	json.Unmarshal(w.Body.Bytes(), &got)
	if w.Code != http.StatusUnprocessableEntity || !cmp.Equal(got.Fields, map[string]string{"lists": "choose at most 50 lists"}) {
		t.Errorf("PATCH with 51 lists = %d %s, want 422 naming lists", w.Code, w.Body)
	}
	if sub := e.byEmail("zoe@example.com"); sub.Name != "" || len(sub.Lists) != 50 {
		t.Errorf("the refused PATCH changed the reader: %q on %d lists", sub.Name, len(sub.Lists))
	}
	if w := e.api("PATCH", path, `{"name":"Zoë"}`); w.Code != http.StatusOK {
		t.Errorf("PATCH of the name of a reader on 50 lists = %d %s, want 200", w.Code, w.Body)
	}
}

// The admin's add form and a reader's page are held to the same limit:
// the lists' error beside them, what was typed kept, nothing stored.
func TestAdminSubscriberFormsHoldToFiftyLists(t *testing.T) {
	e := newAdminSubEnv(t)
	slugs := e.manyLists(51)
	const wantErr = "Choose at most 50 lists."
	form := url.Values{"csrf": {e.csrf}, "email": {"zoe@example.com"}, "name": {"Zoë"}, "status": {"confirmed"}, "list": slugs}
	resp, body := e.a.postBody("/admin/subscribers", form)
	if m := listsError.FindStringSubmatch(body); resp.StatusCode != http.StatusUnprocessableEntity || m == nil || html.UnescapeString(m[1]) != wantErr {
		t.Errorf("add on 51 lists = %d, lists error %q; want 422 saying %q", resp.StatusCode, m, wantErr)
	}
	if !strings.Contains(body, `value="zoe@example.com"`) || !strings.Contains(body, `value="many-51" checked`) {
		t.Errorf("the refused add form lost what was typed:\n%s", body)
	}
	if e.byEmail("zoe@example.com") != nil {
		t.Fatal("the add form added a reader on 51 lists")
	}
	form.Del("status") // named in the same round as the lists
	_, body = e.a.postBody("/admin/subscribers", form)
	if m := listsError.FindStringSubmatch(body); m == nil || html.UnescapeString(m[1]) != wantErr || statusError.FindString(body) == "" {
		t.Errorf("add on 51 lists with no status: want both errors at once, got lists error %q:\n%s", m, body)
	}

	ann := e.addReader("ann@example.com", slugs[:2]...)
	page := fmt.Sprintf("/admin/subscribers/%d", ann.ID)
	edit := url.Values{"csrf": {e.csrf}, "email": {"ann@example.com"}, "name": {"Ann Bell"}, "status": {"confirmed"}, "frequency": {"daily"}, "list": slugs}
	resp, body = e.a.postBody(page, edit)
	if m := listsError.FindStringSubmatch(body); resp.StatusCode != http.StatusUnprocessableEntity || m == nil || html.UnescapeString(m[1]) != wantErr {
		t.Errorf("a reader's page saved on 51 lists = %d, lists error %q; want 422 saying %q", resp.StatusCode, m, wantErr)
	}
	if got := e.byEmail("ann@example.com"); got.Name != "" || len(got.Lists) != 2 {
		t.Errorf("the refused save changed Ann: %q on %v", got.Name, got.Lists)
	}
	edit["list"] = slugs[:50]
	if resp := e.a.post(page, edit); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a reader's page saved on 50 lists = %d, want it saved", resp.StatusCode)
	}
}
