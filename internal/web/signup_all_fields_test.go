package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestAPISignupNamesEveryFieldAtFault: the JSON signup's 422 names every
// field at fault in `fields`, with the code and message it always had: a
// bad address with an unknown list, every unknown list, and a member of
// the wrong kind with the faults of the others. A known address is
// answered exactly as a new one.
func TestAPISignupNamesEveryFieldAtFault(t *testing.T) {
	e := newSubEnv(t, 0)
	if _, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: "known@example.com",
		Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("n", subscribers.MaxNameLen+1)
	for _, c := range []struct {
		name, body string
		want       map[string]string
	}{
		{"bad address and unknown list", `{"email":"not-an-address","lists":["nope"]}`,
			map[string]string{"email": "enter an address like name@example.com", "lists": `there is no list "nope"`}},
		{"bad address and private list", `{"email":"not-an-address","lists":["editors-desk","daily-news"]}`,
			map[string]string{"email": "enter an address like name@example.com", "lists": `there is no list "editors-desk"`}},
		{"bad address and long name", `{"email":"not-an-address","name":"` + long + `","lists":["daily-news"]}`,
			map[string]string{"email": "enter an address like name@example.com", "name": "use at most 100 characters (this one has 101)"}},
		{"every unknown list", `{"email":"new@example.com","lists":["nope","Daily-News","nada"]}`,
			map[string]string{"lists": `there are no lists "nope" and "nada"`}},
		{"a member of the wrong kind and the others' faults", `{"email":"not-an-address","name":5,"lists":["nope"]}`,
			map[string]string{"email": "enter an address like name@example.com", "name": "must be a string", "lists": `there is no list "nope"`}},
		{"lists of the wrong kind and a long name", `{"email":"new@example.com","name":"` + long + `","lists":"daily-news"}`,
			map[string]string{"name": "use at most 100 characters (this one has 101)", "lists": `must be a list of strings, like ["daily-news"]`}},
	} {
		w := e.json("POST", "/api/v1/subscriptions", c.body)
		var got errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422 JSON", c.name, w.Code, w.Body)
			continue
		}
		want := errorBody{Error: "validation", Message: "Some fields need fixing.", Fields: c.want}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: answer (-want +got):\n%s", c.name, diff)
		}
	}

	// The same faults with a known address and a new one: one answer.
	answer := func(email string) string {
		w := e.json("POST", "/api/v1/subscriptions", `{"email":"`+email+`","name":"`+long+`","lists":["nope","daily-news"]}`)
		return w.Result().Status + " " + w.Body.String()
	}
	if fresh, known := answer("fresh@example.com"), answer("known@example.com"); fresh != known ||
		!strings.Contains(fresh, `"name":"use at most 100 characters (this one has 101)"`) || !strings.Contains(fresh, `"lists":"there is no list \"nope\""`) {
		t.Errorf("a new address is answered %s\na known one %s\nwant one answer naming name and lists", fresh, known)
	}
	e.signups.Flush()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d subscribers, want the known one only: a refused signup stores nothing", n)
	}
}

// listBox finds the checkbox of a list on a form, with its checked state.
var listBox = regexp.MustCompile(`<input type="checkbox" name="list" value="([a-z-]+)"( checked)?>`)

// tickedLists are the slugs of the lists ticked on page.
func tickedLists(page string) []string {
	var on []string
	for _, m := range listBox.FindAllStringSubmatch(page, -1) {
		if m[2] != "" {
			on = append(on, m[1])
		}
	}
	return on
}

// TestSubscribeFormMarksEveryFieldAtFault: the HTML form sent back with
// a 422 marks every field at fault, the lists among them, and keeps the
// lists the reader ticked, in whatever case they were sent, as the
// signup matches them; ?list= ticks its list in any case too.
func TestSubscribeFormMarksEveryFieldAtFault(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.form("/subscribe", url.Values{"email": {"not-an-address"}, "name": {strings.Repeat("n", 101)},
		"list": {"DAILY-NEWS", "nope"}})
	page := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("form with a bad address, name and list = %d, want 422:\n%s", w.Code, page)
	}
	for _, want := range []string{
		`aria-invalid="true" aria-describedby="email-error"`, `<p class="error" id="email-error">Enter an address like name@example.com.</p>`,
		`aria-invalid="true" aria-describedby="name-error"`, `<p class="error" id="name-error">Use at most 100 characters (this one has 101).</p>`,
		`<fieldset aria-describedby="lists-error">`, `<p class="error" id="lists-error">There is no public list “nope”: choose from the lists below.</p>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form sent back lacks %s:\n%s", want, page)
		}
	}
	if got := tickedLists(page); !cmp.Equal(got, []string{"daily-news"}) {
		t.Errorf("the form sent back ticks %q, want daily-news, sent as DAILY-NEWS", got)
	}

	page = e.do("GET", "/subscribe?list=Weekend-Culture", "", "").Body.String()
	if got := tickedLists(page); !cmp.Equal(got, []string{"weekend-culture"}) {
		t.Errorf("/subscribe?list=Weekend-Culture ticks %q, want weekend-culture", got)
	}
}
