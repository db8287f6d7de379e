package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A list report's slug is read in any case, as /api/v1/lists/{slug}
// reads it: /api/v1/lists/NEWS/report is news's report, in JSON and CSV.
// It was a 404, "There is no such list.", for a slug every other
// endpoint took. A slug that names no list is still a 404, quoting it as
// typed; a bad ?days is still named before the list is looked up.
func TestListReportAPIReadsTheSlugInAnyCase(t *testing.T) {
	_, a, token := fullServer(t)
	code, rep := apiCall(t, a.base, token, "GET", "/api/v1/lists/NEWS/report?days=7", "")
	if code != http.StatusOK || rep["list"] != "news" || rep["days"] != float64(7) {
		t.Errorf("GET /api/v1/lists/NEWS/report = %d %v, want 200, the report of news", code, rep)
	}
	code, _ = apiCall(t, a.base, token, "GET", "/api/v1/lists/%20News%20/report?format=csv", "")
	if code != http.StatusOK {
		t.Errorf("GET /api/v1/lists/%%20News%%20/report?format=csv = %d, want 200", code)
	}
	code, got := apiCall(t, a.base, token, "GET", "/api/v1/lists/NOPE/report", "")
	if code != http.StatusNotFound || got["message"] != `There is no list "NOPE".` {
		t.Errorf("GET /api/v1/lists/NOPE/report = %d %v, want 404 quoting NOPE", code, got)
	}
	code, got = apiCall(t, a.base, token, "GET", "/api/v1/lists/NOPE/report?days=0", "")
	if code != http.StatusUnprocessableEntity || got["fields"] == nil {
		t.Errorf("GET /api/v1/lists/NOPE/report?days=0 = %d %v, want 422 naming days", code, got)
	}
}

// A feed's list is read in any case: "NEWS" adds the feed to news, and
// the answer names the list by its own slug; the same URL with " news "
// is that feed again (200), not another. "NEWS" was refused with
// `there is no list "NEWS"`, which it still is when no list has it.
func TestFeedAPIReadsTheListInAnyCase(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, wireFeed)
	}))
	t.Cleanup(feed.Close)
	_, a, token := fullServer(t)
	code, fd := apiCall(t, a.base, token, "POST", "/api/v1/feeds", `{"url":"`+feed.URL+`/rss","list":"NEWS"}`)
	if code != http.StatusCreated || fd["list"] != "news" {
		t.Fatalf("POST a feed to NEWS = %d %v, want 201 on news", code, fd)
	}
	code, again := apiCall(t, a.base, token, "POST", "/api/v1/feeds", `{"url":"`+feed.URL+`/rss","list":" news "}`)
	if code != http.StatusOK || again["id"] != fd["id"] || again["list"] != "news" {
		t.Errorf("POST the feed again to \" news \" = %d %v, want 200 with feed %v", code, again, fd["id"])
	}
	code, got := apiCall(t, a.base, token, "POST", "/api/v1/feeds", `{"url":"`+feed.URL+`/other","list":"Nope"}`)
	if want := map[string]any{"list": `there is no list "Nope"`}; code != http.StatusUnprocessableEntity || !cmp.Equal(got["fields"], any(want)) {
		t.Errorf("POST a feed to Nope = %d %v, want 422 quoting Nope", code, got)
	}
}

// An article's lists are read in any case, by POST and PATCH, each list
// once however often it is named, and read back with the list's own
// slug. "NEWS" was refused with `there is no list "NEWS"`; a slug that
// names no list still is, quoted as typed.
func TestArticleAPIReadsListsInAnyCase(t *testing.T) {
	_, a, token := fullServer(t)
	code, art := apiCall(t, a.base, token, "POST", "/api/v1/articles",
		`{"title":"Tide tables","url":"https://news.example/tides","lists":["NEWS"," News ","news"]}`)
	if code != http.StatusCreated || !cmp.Equal(art["lists"], []any{"news"}) {
		t.Fatalf("POST with lists NEWS = %d %v, want 201 on [news]", code, art)
	}
	path := "/api/v1/articles/" + jsonNumber(art["id"])
	if code, got := apiCall(t, a.base, token, "PATCH", path, `{"lists":[]}`); code != http.StatusOK || len(asSlice(got["lists"])) != 0 {
		t.Fatalf("PATCH lists [] = %d %v, want 200 on no list", code, got)
	}
	if code, got := apiCall(t, a.base, token, "PATCH", path, `{"lists":["News"]}`); code != http.StatusOK || !cmp.Equal(got["lists"], []any{"news"}) {
		t.Errorf("PATCH lists News = %d %v, want 200 on [news]", code, got)
	}
	code, got := apiCall(t, a.base, token, "PATCH", path, `{"lists":["News","Nope"]}`)
	if want := map[string]any{"lists": `there is no list "Nope"`}; code != http.StatusUnprocessableEntity || !cmp.Equal(got["fields"], any(want)) {
		t.Errorf("PATCH lists News, Nope = %d %v, want 422 quoting Nope", code, got)
	}
	// Every unknown slug is named in the one answer, each once in the
	// case first typed; they were named one a request.
	code, got = apiCall(t, a.base, token, "POST", "/api/v1/articles",
		`{"title":"Buoys","url":"https://news.example/buoys","lists":["Nope","news","Sport","nope","Arts"]}`)
	if want := map[string]any{"lists": `there are no lists "Nope", "Sport" and "Arts"`}; code != http.StatusUnprocessableEntity || !cmp.Equal(got["fields"], any(want)) {
		t.Errorf("POST lists Nope, news, Sport, nope, Arts = %d %v, want 422 naming the three", code, got)
	}
}

// asSlice is v as a JSON array, nil when it is none.
func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
