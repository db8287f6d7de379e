package web

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A list created through the API without a slug, or with an empty one,
// has one made from its name, as the admin's forms make it (SlugFor):
// "Tide Tables" is tide-tables. The API refused such a list for its slug,
// which no form asks for. A made slug that another list has is the
// slug's fault, worded for a slug left out, as on the new-list form, and
// not a conflict over a slug the client never sent; with no name either,
// the name is the one fault. A slug given and invalid is refused as it was.
func TestListAPIMakesTheSlugFromTheName(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, tc := range []struct{ body, slug, name string }{
		{`{"name":"Tide Tables"}`, "tide-tables", "Tide Tables"},
		{`{"name":"  Événements du port ","slug":" "}`, "evenements-du-port", "Événements du port"},
	} {
		w := e.api("POST", "/api/v1/lists", tc.body)
		if l := decodeList(t, w.Body.Bytes()); w.Code != http.StatusCreated || l.Slug != tc.slug || l.Name != tc.name {
			t.Errorf("create %s = %d %s, want 201 with slug %q and name %q", tc.body, w.Code, w.Body, tc.slug, tc.name)
		}
		if w := e.api("GET", "/api/v1/lists/"+tc.slug, ""); w.Code != http.StatusOK {
			t.Errorf("read %s after create = %d %s", tc.slug, w.Code, w.Body)
		}
	}

	const madeTaken = "the slug made from the name, “daily-news”, is another list's: type another slug, or change the name"
	for _, tc := range []struct {
		name, body string
		fields     map[string]string
	}{
		{"made slug taken", `{"name":"Daily News"}`, map[string]string{"slug": madeTaken}},
		{"made slug taken, and a bad zone", `{"name":"Daily News","timezone":"Nowhere"}`,
			map[string]string{"slug": madeTaken, "timezone": `use an IANA time zone name such as "Europe/Paris", "America/New_York" or "UTC" (mind the capitals)`}},
		{"no name, no slug", `{}`, map[string]string{"name": "give a name of 1–100 characters"}},
		{"empty name and slug", `{"name":" ","slug":""}`, map[string]string{"name": "give a name of 1–100 characters"}},
		{"nothing to make a slug of", `{"name":"日本のニュース"}`, map[string]string{"slug": subscribers.NoSlugFrom("日本のニュース")}},
		{"bad slug given", `{"name":"Tide","slug":"Tide Tables"}`, map[string]string{"slug": "use 1–64 lower-case letters, digits and single dashes"}},
	} {
		w := e.api("POST", "/api/v1/lists", tc.body)
		var got struct {
			Error  string            `json:"error"`
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: decode %s: %v", tc.name, w.Body, err)
		}
		if w.Code != http.StatusUnprocessableEntity || got.Error != "validation" {
			t.Errorf("%s: %s = %d %s, want 422 validation", tc.name, tc.body, w.Code, w.Body)
		}
		if diff := cmp.Diff(tc.fields, got.Fields); diff != "" {
			t.Errorf("%s: %s fields (-want +got):\n%s", tc.name, tc.body, diff)
		}
	}
	// A slug given that another list has is still the conflict it was.
	if w := e.api("POST", "/api/v1/lists", `{"name":"Tides","slug":"tide-tables"}`); w.Code != http.StatusConflict {
		t.Errorf("a taken slug given = %d %s, want 409", w.Code, w.Body)
	}
}
