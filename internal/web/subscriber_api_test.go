package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSubscriberAPI(t *testing.T) {
	e := newSubEnv(t, 0)
	if w := e.json("GET", "/api/v1/subscribers", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", w.Code)
	}
	w := e.api("POST", "/api/v1/lists", `{"slug":"harbour-jobs","name":"Harbour Jobs","digest":"weekly"}`)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"public":true`) || !strings.Contains(w.Body.String(), `"digest_hour":8`) {
		t.Fatalf("create list: %d %s", w.Code, w.Body)
	}
	if w := e.api("POST", "/api/v1/lists", `{"slug":"harbour-jobs","name":"Again"}`); w.Code != http.StatusConflict {
		t.Errorf("same slug: %d", w.Code)
	}
	if w := e.api("GET", "/api/v1/lists", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"items":[`) {
		t.Errorf("lists: %d %s", w.Code, w.Body)
	}

	var ids []int64
	for i := range 5 {
		body := fmt.Sprintf(`{"email":"p%d@example.com","name":"Person %d","status":"confirmed","lists":["editors-desk"]}`, i, i)
		w := e.api("POST", "/api/v1/subscribers", body)
		var got struct {
			ID     int64    `json:"id"`
			Status string   `json:"status"`
			Lists  []string `json:"lists"`
		}
		json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != http.StatusCreated || got.ID == 0 || got.Status != "confirmed" {
			t.Fatalf("add: %d %s", w.Code, w.Body)
		}
		ids = append(ids, got.ID)
	}
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"P0@EXAMPLE.com","lists":["daily-news"]}`); w.Code != http.StatusConflict {
		t.Errorf("same address in another case: %d", w.Code)
	}

	// Keyset paging with a filter.
	var seen []int64
	next := ""
	for {
		w := e.api("GET", "/api/v1/subscribers?q=PERSON&status=confirmed&list=editors-desk&limit=2"+next, "")
		var p struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			Next *int64 `json:"next"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 200 {
			t.Fatalf("page: %d %s", w.Code, w.Body)
		}
		for _, it := range p.Items {
			seen = append(seen, it.ID)
		}
		if p.Next == nil {
			break
		}
		next = fmt.Sprintf("&after=%d", *p.Next)
	}
	if diff := cmp.Diff(ids, seen); diff != "" {
		t.Errorf("paged ids (-want +got):\n%s", diff)
	}

	id := ids[0]
	w = e.api("PATCH", fmt.Sprintf("/api/v1/subscribers/%d", id), `{"name":"Renamed","lists":["daily-news"]}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"name":"Renamed"`) || !strings.Contains(w.Body.String(), `"lists":["daily-news"]`) {
		t.Fatalf("patch: %d %s", w.Code, w.Body)
	}
	if w := e.api("PATCH", fmt.Sprintf("/api/v1/subscribers/%d", id), `{"email":"p1@example.com"}`); w.Code != http.StatusConflict {
		t.Errorf("patch to a taken address: %d", w.Code)
	}
	if w := e.api("PATCH", fmt.Sprintf("/api/v1/subscribers/%d", id), `{"status":"gone"}`); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("bad status: %d", w.Code)
	}
	w = e.api("GET", fmt.Sprintf("/api/v1/subscribers/%d/export", id), "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"subscriptions":[`) || !strings.Contains(w.Body.String(), "p0@example.com") {
		t.Fatalf("export: %d %s", w.Code, w.Body)
	}

	// Erase: gone for good, a hash left, and no silent come-back.
	if w := e.api("DELETE", fmt.Sprintf("/api/v1/subscribers/%d", id), ""); w.Code != http.StatusNoContent {
		t.Fatalf("erase: %d", w.Code)
	}
	if w := e.api("GET", fmt.Sprintf("/api/v1/subscribers/%d", id), ""); w.Code != http.StatusNotFound {
		t.Errorf("read after erase: %d", w.Code)
	}
	var left int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE email_key = 'p0@example.com' OR name = 'Renamed'`).Scan(&left)
	var hashes int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM erasures WHERE email_hash NOT LIKE '%@%'`).Scan(&hashes)
	if left != 0 || hashes != 1 {
		t.Errorf("after erase: %d rows with the data, %d hashes", left, hashes)
	}
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"p0@example.com","lists":["daily-news"]}`); w.Code != http.StatusConflict {
		t.Errorf("re-adding an erased address: %d", w.Code)
	}
	for path, want := range map[string]int{"/api/v1/subscribers/abc": http.StatusUnprocessableEntity, "/api/v1/subscribers/999999": http.StatusNotFound} {
		if w := e.api("GET", path, ""); w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
	}
}
