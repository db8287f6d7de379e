package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// jsonServer is fullServer with a campaign: list "news", reader 1 on
// it, and the API path of a draft campaign whose subject is "Bridge news".
func jsonServer(t *testing.T) (*adminClient, string, string) {
	t.Helper()
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Bridge news","body":"Hello","lists":["news"]}`)
	return a, token, campaign
}

// fieldsOf returns the "fields" of an error answer.
func fieldsOf(got map[string]any) map[string]string {
	out := map[string]string{}
	fields, _ := got["fields"].(map[string]any)
	for k, v := range fields {
		out[k], _ = v.(string)
	}
	return out
}

// A field the token API does not take is refused with 422, naming it and
// what was meant, or else the fields the body takes; nothing changes.
func TestJSONUnknownFieldsRefused(t *testing.T) {
	a, token, campaign := jsonServer(t)
	const articleFields = "title, url, summary, body, author, image_url, image_alt, image_width, image_height, published_at and lists"
	cases := []struct {
		method, path, body string
		want               map[string]string
	}{
		{"PATCH", campaign, `{"subjcet":"Changed"}`,
			map[string]string{"subjcet": `is not a field of a campaign; did you mean "subject"?`}},
		{"POST", "/api/v1/campaigns", `{"subject":"S","body":"B","lists":["news"],"status":"sent"}`,
			map[string]string{"status": "cannot be set: a campaign takes subject, preheader, body, lists, send_at and send_zone"}},
		{"POST", "/api/v1/articles", `{"title":"Red","url":"https://news.example/red","colour":"red"}`,
			map[string]string{"colour": "is not a field of an article, which takes " + articleFields}},
		{"PATCH", "/api/v1/articles/1", `{"publishedAt":"2026-11-30T08:00:00Z"}`,
			map[string]string{"publishedAt": `is not a field of an article; did you mean "published_at"?`}},
		{"POST", "/api/v1/feeds", `{"url":"https://news.example/feed.xml","lists":["news"]}`,
			map[string]string{"lists": `is not a field of a feed; did you mean "list"?`}},
		{"POST", "/api/v1/lists", `{"slug":"sport","name":"Sport","publc":false}`,
			map[string]string{"publc": `is not a field of a list; did you mean "public"?`}},
		{"PATCH", "/api/v1/lists/news", `{"Name":"Renamed","colour":"red"}`,
			map[string]string{"Name": `is not a field of a list; did you mean "name"?`,
				"colour": "is not a field of a list, which takes slug, name, description, public, digest, digest_hour, digest_weekday, timezone, from, reply_to, welcome, tracking and opens"}},
		{"POST", "/api/v1/subscribers", `{"email":"grace@example.com","lits":["news"]}`,
			map[string]string{"lits": `is not a field of a subscriber; did you mean "lists"?`}},
		{"PATCH", "/api/v1/subscribers/1", `{"nmae":"Ada L."}`,
			map[string]string{"nmae": `is not a field of a subscriber; did you mean "name"?`}},
		// A member the API answers with, sent back, is the server's to set,
		// on a change as on a create: it said "is not a field" of a
		// campaign's status, which every answer shows.
		{"PATCH", campaign, `{"status":"sent","left_out":[]}`,
			map[string]string{"status": "cannot be set: a campaign takes subject, preheader, body, lists, send_at and send_zone",
				"left_out": "cannot be set: a campaign takes subject, preheader, body, lists, send_at and send_zone"}},
		{"PATCH", "/api/v1/subscribers/1", `{"id":7,"name":"Ada L."}`,
			map[string]string{"id": "cannot be set: a subscriber takes email, name, status, frequency, lists and attributes"}},
		{"PATCH", "/api/v1/lists/news", `{"id":3}`,
			map[string]string{"id": "cannot be set: a list takes slug, name, description, public, digest, digest_hour, digest_weekday, timezone, from, reply_to, welcome, tracking and opens"}},
		{"POST", "/api/v1/suppressions", `{"address":"robin@example.com","colour":"red"}`,
			map[string]string{"colour": "is not a field of a suppression, which takes address, domain, reason and note"}},
		{"POST", campaign + "/test", `{"to":["ada@example.com"],"cc":["bob@example.com"]}`,
			map[string]string{"cc": "is not a field of this request, which takes only to"}},
	}
	for _, c := range cases {
		code, got := apiCall(t, a.base, token, c.method, c.path, c.body)
		if code != http.StatusUnprocessableEntity || got["error"] != "validation" || got["message"] != "Some fields need fixing." {
			t.Errorf("%s %s %s = %d %v, want 422 validation", c.method, c.path, c.body, code, got)
			continue
		}
		if diff := cmp.Diff(c.want, fieldsOf(got)); diff != "" {
			t.Errorf("%s %s %s fields (-want +got):\n%s", c.method, c.path, c.body, diff)
		}
	}

	// Nothing changed: the campaign keeps its subject, no article, list,
	// feed or reader was made.
	if _, c := apiCall(t, a.base, token, "GET", campaign, ""); c["subject"] != "Bridge news" {
		t.Errorf("campaign subject = %v after a refused patch, want Bridge news", c["subject"])
	}
	for path, want := range map[string]int{"/api/v1/articles": 0, "/api/v1/feeds": 0, "/api/v1/lists": 1, "/api/v1/subscribers": 1, "/api/v1/campaigns": 1} {
		if _, p := apiCall(t, a.base, token, "GET", path, ""); len(p["items"].([]any)) != want {
			t.Errorf("GET %s = %d items after refused bodies, want %d", path, len(p["items"].([]any)), want)
		}
	}
	if _, l := apiCall(t, a.base, token, "GET", "/api/v1/lists/news", ""); l["name"] != "News" {
		t.Errorf("list name = %v after a refused patch, want News", l["name"])
	}
}

// Every documented request body but the signup's says
// additionalProperties: false, and the server refuses a field that is not
// in it, listing exactly the schema's properties as the ones it takes.
func TestJSONOpenAPIBodiesMatchTheServer(t *testing.T) {
	doc := loadOpenAPI(t)
	a, token, campaign := jsonServer(t)
	id := strings.TrimPrefix(campaign, "/api/v1/campaigns/")
	checked := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			var props []string
			for name := range schema.Properties {
				props = append(props, name)
			}
			if method == "PATCH" && path == "/api/v1/feeds/{id}" {
				// The handler reads url and list to say they cannot change.
				props = append(props, "url", "list")
			}
			sort.Strings(props)
			strict := schema.AdditionalProperties.Has != nil && !*schema.AdditionalProperties.Has
			if path == "/api/v1/subscriptions" {
				if strict {
					t.Errorf("%s %s: the public signup ignores fields it does not take; its schema must not say additionalProperties: false", method, path)
				}
				continue
			}
			if !strict {
				t.Errorf("%s %s: the request body's schema lacks additionalProperties: false", method, path)
			}
			url := strings.NewReplacer("{id}", id, "{slug}", "news", "{address}", "ada@example.com").Replace(path)
			code, got := apiCall(t, a.base, token, method, url, `{"zz_not_a_field":1}`)
			why := fieldsOf(got)["zz_not_a_field"]
			_, list, ok := strings.Cut(why, "which takes ")
			list = strings.TrimPrefix(list, "only ")
			taken := strings.FieldsFunc(strings.ReplaceAll(list, " and ", ", "), func(r rune) bool { return r == ',' || r == ' ' })
			sort.Strings(taken)
			if code != http.StatusUnprocessableEntity || !ok || !slices.Equal(taken, props) {
				t.Errorf("%s %s with an unknown field = %d %q, want 422 listing %v", method, url, code, why, props)
			}
			checked++
		}
	}
	if checked < 15 {
		t.Errorf("checked %d request bodies, want every documented one", checked)
	}
}

// A value of the wrong kind is named in JSON's terms, not Go's.
func TestJSONTypeErrorsInJSONTerms(t *testing.T) {
	a, token, campaign := jsonServer(t)
	cases := []struct {
		method, path, body string
		want               map[string]string
	}{
		{"PATCH", campaign, `{"lists":"news"}`, map[string]string{"lists": `must be a list of strings, like ["news"]`}},
		{"PATCH", campaign, `{"lists":[1],"subject":2}`, map[string]string{"lists": "must be a list of strings", "subject": "must be a string"}},
		{"POST", "/api/v1/articles", `{"title":5,"url":"https://news.example/five"}`, map[string]string{"title": "must be a string"}},
		{"POST", "/api/v1/articles", `{"title":"T","url":"https://news.example/t","lists":{"news":true}}`, map[string]string{"lists": "must be a list of strings"}},
		{"POST", "/api/v1/feeds", `{"url":"https://news.example/feed.xml","list":"news","active":"yes"}`, map[string]string{"active": "must be true or false"}},
		{"POST", "/api/v1/lists", `{"slug":"sport","name":"Sport","digest_hour":"seven"}`, map[string]string{"digest_hour": "must be a whole number"}},
		{"PATCH", "/api/v1/lists/news", `{"digest_hour":7.5,"public":"no"}`, map[string]string{"digest_hour": "must be a whole number", "public": "must be true or false"}},
		{"POST", "/api/v1/subscribers", `{"email":"grace@example.com","attributes":["city"]}`, map[string]string{"attributes": "must be an object",
			// The rest is checked as the add checks it: no list given.
			"lists": apiNoList}},
		{"PATCH", "/api/v1/subscribers/1", `{"attributes":"city","lists":"news"}`, map[string]string{"attributes": "must be an object", "lists": `must be a list of strings, like ["news"]`}},
		{"PATCH", campaign, `{"send_at":"tomorrow"}`, map[string]string{"send_at": "use a date and time in RFC 3339 form, like 2026-12-01T09:00:00Z"}},
	}
	for _, c := range cases {
		code, got := apiCall(t, a.base, token, c.method, c.path, c.body)
		if code != http.StatusUnprocessableEntity || got["error"] != "validation" {
			t.Errorf("%s %s %s = %d %v, want 422 validation", c.method, c.path, c.body, code, got)
			continue
		}
		if diff := cmp.Diff(c.want, fieldsOf(got)); diff != "" {
			t.Errorf("%s %s %s fields (-want +got):\n%s", c.method, c.path, c.body, diff)
		}
		raw, _ := json.Marshal(got)
		for _, goName := range []string{"expected", "[]string", "interface", "map[", "int"} {
			if strings.Contains(strings.ReplaceAll(string(raw), "digest_hour", ""), goName) {
				t.Errorf("%s %s %s answers in Go's terms (%q): %s", c.method, c.path, c.body, goName, raw)
			}
		}
	}
}

// Valid JSON that is not an object is told so, still as bad_request (400);
// JSON that is not valid is still told so.
func TestJSONBodyMustBeAnObject(t *testing.T) {
	a, token, campaign := jsonServer(t)
	bodies := map[string]string{
		`[]`:                          "The body must be a JSON object, {…}, not a list.",
		`[{"subject":1}]`:             "The body must be a JSON object, {…}, not a list.",
		`"subject"`:                   "The body must be a JSON object, {…}, not a string.",
		`42`:                          "The body must be a JSON object, {…}, not a number.",
		`true`:                        "The body must be a JSON object, {…}, not true or false.",
		`{"subject":`:                 "The body is not valid JSON: it ends in the middle of a value (a closing quote, ] or } is missing).",
		`{"subject" "x"}`:             "The body is not valid JSON: invalid character '\"' after object key, at line 1, column 12.",
		"{\n  \"subject\": \"x\",\n}": "The body is not valid JSON: invalid character '}' looking for beginning of object key string, at line 3, column 1.",
		"{\"subject\": \"é\" x}":      "The body is not valid JSON: invalid character 'x' after object key:value pair, at line 1, column 17.",
		" ":                           "The body is empty: send a JSON object, {…}.",
		`{"active": fals`:             "The body is not valid JSON: it ends in the middle of a value (a closing quote, ] or } is missing).",
		`{"n": 1.`:                    "The body is not valid JSON: it ends in the middle of a value (a closing quote, ] or } is missing).",
		`{} {}`:                       "The body must hold one JSON value.",
	}
	for _, ep := range []struct{ method, path string }{
		{"PATCH", campaign}, {"POST", "/api/v1/campaigns"}, {"POST", "/api/v1/articles"}, {"POST", "/api/v1/feeds"},
		{"POST", "/api/v1/lists"}, {"PATCH", "/api/v1/lists/news"}, {"POST", "/api/v1/subscribers"}, {"PATCH", "/api/v1/subscribers/1"},
	} {
		for body, want := range bodies {
			code, got := apiCall(t, a.base, token, ep.method, ep.path, body)
			if code != http.StatusBadRequest || got["error"] != "bad_request" || got["message"] != want || got["fields"] != nil {
				t.Errorf("%s %s %s = %d %v, want 400 bad_request %q", ep.method, ep.path, body, code, got, want)
			}
		}
	}
}

// The public signup, posted by publishers' own forms, still takes fields
// it does not know, and the token API's check does not reach it.
func TestJSONSignupStillTakesExtraFields(t *testing.T) {
	a, _, _ := jsonServer(t)
	code, got := apiCall(t, a.base, "", "POST", "/api/v1/subscriptions",
		`{"email":"reader@example.com","name":"Reader","lists":["news"],"utm_source":"footer","submit":"Join","website":""}`)
	if code != http.StatusAccepted || got["status"] != "pending" {
		t.Errorf("signup with extra fields = %d %v, want 202 pending", code, got)
	}
	code, got = apiCall(t, a.base, "", "POST", "/api/v1/subscriptions", `{"email":"other@example.com","lists":"news","extra":1}`)
	if code != http.StatusUnprocessableEntity || fieldsOf(got)["lists"] != `must be a list of strings, like ["news"]` || fieldsOf(got)["extra"] != "" {
		t.Errorf("signup with lists a string = %d %v, want 422 naming lists only", code, got)
	}
}
