package web

import (
	"maps"
	"net/http"
	"slices"
	"testing"
)

// A body some members of which the decoder refuses (a date that does not
// exist, a member no article has) is answered with every other fault of
// it in the same 422, as the campaigns API answers: the articles,
// subscribers, lists, feeds and webhooks APIs named only the members
// refused as JSON, and a client learnt of a bad URL or an unknown list
// one call later. A member that
// misspells a field does not get that field named as missing too, and a
// refused body stores nothing.
func TestAPINamesEveryFaultOfABody(t *testing.T) {
	_, a, token, db := fullServerDB(t)
	code, art := apiCall(t, a.base, token, "POST", "/api/v1/articles", `{"title":"Quay works","url":"https://news.example/quay","lists":["news"]}`)
	if code != http.StatusCreated {
		t.Fatalf("POST of a good article = %d %v", code, art)
	}
	articlePath := "/api/v1/articles/" + jsonNumber(art["id"])
	// Paused, so not polled: only its PATCH is wanted.
	code, feed := apiCall(t, a.base, token, "POST", "/api/v1/feeds", `{"url":"http://127.0.0.1:1/feed.xml","list":"news","active":false}`)
	if code != http.StatusCreated {
		t.Fatalf("POST of a paused feed = %d %v", code, feed)
	}
	feedPath := "/api/v1/feeds/" + jsonNumber(feed["id"])
	for _, c := range []struct {
		method, path, body string
		want, not          []string
	}{
		{"POST", "/api/v1/articles", `{"title":"x","url":"ftp://h/a","lists":["nope"],"published_at":"2026-02-30T00:00:00Z"}`,
			[]string{"published_at", "url", "lists"}, nil},
		{"PATCH", articlePath, `{"title":"","published_at":"2026-02-30T00:00:00Z","image_url":"http://x"}`,
			[]string{"published_at", "title", "image_url"}, nil},
		{"POST", "/api/v1/articles", `{"title":"","url":"ftp://x","lists":["nope"],"fooo":1}`,
			[]string{"fooo", "title", "url", "lists"}, nil},
		{"POST", "/api/v1/articles", `{"titel":"Pier","url":"ftp://x","published_at":"2026-02-30T00:00:00Z"}`,
			[]string{"titel", "url", "published_at"}, []string{"title"}},
		{"POST", "/api/v1/subscribers", `{"email":"bad","foo":1,"lists":["nope"]}`,
			[]string{"foo", "email", "lists"}, nil},
		{"POST", "/api/v1/subscribers", `{"emial":"ann@example.com","status":"gone","lists":["news"]}`,
			[]string{"emial", "status"}, []string{"email"}},
		{"PATCH", "/api/v1/subscribers/1", `{"email":"bad","status":"gone","foo":1,"lists":["nope"]}`,
			[]string{"foo", "email", "status", "lists"}, nil},
		{"POST", "/api/v1/lists", `{"slug":"Bad Slug","name":"","digest_hour":"seven"}`,
			[]string{"digest_hour", "slug", "name"}, nil},
		{"PATCH", "/api/v1/lists/news", `{"name":"","digest":"hourly","public":"no"}`,
			[]string{"public", "name", "digest"}, nil},
		{"POST", "/api/v1/lists", `{"slgu":"sport","name":"","digets":"daily"}`,
			[]string{"slgu", "digets", "name"}, []string{"slug"}},
		{"POST", "/api/v1/feeds", `{"url":"ftp://x","list":"nope","actve":true}`,
			[]string{"actve", "url", "list"}, nil},
		{"PATCH", feedPath, `{"active":"yes","url":"http://127.0.0.1:1/other.xml"}`,
			[]string{"active", "url"}, nil},
		{"PATCH", feedPath, `{"actve":false,"list":"news"}`,
			[]string{"actve", "list"}, []string{"active"}},
		{"POST", "/api/v1/webhooks", `{"url":"ftp://x","events":["nope"],"actve":true}`,
			[]string{"actve", "url", "events"}, nil},
	} {
		code, got := apiCall(t, a.base, token, c.method, c.path, c.body)
		fields, _ := got["fields"].(map[string]any)
		named := slices.Sorted(maps.Keys(fields))
		if code != http.StatusUnprocessableEntity {
			t.Errorf("%s %s %s = %d %v, want 422", c.method, c.path, c.body, code, got)
			continue
		}
		for _, f := range c.want {
			if fields[f] == nil {
				t.Errorf("%s %s %s names %v, not %s", c.method, c.path, c.body, named, f)
			}
		}
		for _, f := range c.not {
			if fields[f] != nil {
				t.Errorf("%s %s %s names %s (%v), which a refused member misspells", c.method, c.path, c.body, f, fields[f])
			}
		}
	}

	if code, got := apiCall(t, a.base, token, "GET", articlePath, ""); code != http.StatusOK || got["title"] != "Quay works" ||
		got["published_at"] != art["published_at"] || got["image_url"] != "" {
		t.Errorf("the article after refused PATCHes = %d %v, want it as posted", code, got)
	}
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM articles`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d articles (%v) after refused POSTs, want the one posted", n, err)
	}
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d subscribers (%v) after refused POSTs, want the one there", n, err)
	}
	for table, want := range map[string]int{"lists": 1, "feeds": 1, "webhook_endpoints": 0} {
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != want {
			t.Errorf("%d rows of %s (%v) after refused bodies, want %d", n, table, err, want)
		}
	}
	if code, got := apiCall(t, a.base, token, "GET", "/api/v1/lists/news", ""); code != http.StatusOK ||
		got["name"] != "News" || got["digest"] != "daily" || got["public"] != true {
		t.Errorf("list news after a refused PATCH = %d %v, want as stored", code, got)
	}
	if code, got := apiCall(t, a.base, token, "GET", feedPath, ""); code != http.StatusOK || got["active"] != false {
		t.Errorf("the feed after refused PATCHes = %d %v, want it paused", code, got)
	}
	if code, got := apiCall(t, a.base, token, "GET", "/api/v1/subscribers/1", ""); code != http.StatusOK ||
		got["email"] != "ada@example.com" || got["status"] != "confirmed" || len(asSlice(got["lists"])) != 1 {
		t.Errorf("subscriber 1 after a refused PATCH = %d %v, want as stored", code, got)
	}
}
