package web

import (
	"encoding/json"
	"net/http"
	"testing"
)

// ?list= reads a slug in any case, as a body naming a list does: the
// subscribers filtered by "DAILY-NEWS" are daily-news's, not an empty
// page; a slug that names no list is still a 422.
func TestAPIListFilterReadsSlugInAnyCase(t *testing.T) {
	e := newSubEnv(t, 0)
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"ann@example.com","status":"confirmed","lists":["daily-news"]}`); w.Code != http.StatusCreated {
		t.Fatalf("add = %d %s", w.Code, w.Body)
	}
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"bo@example.com","status":"confirmed","lists":["editors-desk"]}`); w.Code != http.StatusCreated {
		t.Fatalf("add = %d %s", w.Code, w.Body)
	}
	for _, list := range []string{"daily-news", "DAILY-NEWS", "Daily-News", "%20daily-news%20"} {
		w := e.api("GET", "/api/v1/subscribers?list="+list, "")
		var page struct {
			Items []struct {
				Email string `json:"email"`
			} `json:"items"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || w.Code != http.StatusOK {
			t.Fatalf("?list=%s = %d %s", list, w.Code, w.Body)
		}
		if len(page.Items) != 1 || page.Items[0].Email != "ann@example.com" {
			t.Errorf("?list=%s = %+v, want ann alone", list, page.Items)
		}
	}
	if w := e.api("GET", "/api/v1/subscribers?list=NOPE", ""); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("?list=NOPE = %d %s, want 422", w.Code, w.Body)
	}
}
