package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A webhook's delivery log pages as every collection does: next, passed
// as after, gives the page of older deliveries, and is null on the last.
func TestWebhookDeliveriesPage(t *testing.T) {
	_, a, token := fullServer(t)
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/webhooks", `{"url":"https://93.184.215.14/in","events":["subscriber.created"]}`); code != http.StatusCreated {
		t.Fatalf("create webhook = %d %v", code, got)
	}
	for range 3 {
		if code, got := apiCall(t, a.base, token, "POST", "/api/v1/webhooks/1/test", ""); code != http.StatusAccepted {
			t.Fatalf("test event = %d %v", code, got)
		}
	}
	type page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		Next *int64 `json:"next"`
	}
	get := func(path string) page {
		t.Helper()
		code, body := callDocumented(t, a, token, "GET", path, "")
		var p page
		if code != http.StatusOK || json.Unmarshal(body, &p) != nil {
			t.Fatalf("GET %s = %d %s", path, code, body)
		}
		return p
	}
	var all []string
	for _, d := range get("/api/v1/webhooks/1/deliveries").Items {
		all = append(all, d.ID)
	}
	if len(all) != 3 {
		t.Fatalf("the whole log holds %d deliveries, want 3", len(all))
	}
	var paged []string
	path := "/api/v1/webhooks/1/deliveries?limit=1"
	for i := 0; i < 5; i++ {
		p := get(path)
		for _, d := range p.Items {
			paged = append(paged, d.ID)
		}
		if p.Next == nil {
			break
		}
		path = fmt.Sprintf("/api/v1/webhooks/1/deliveries?limit=1&after=%d", *p.Next)
	}
	if diff := cmp.Diff(all, paged); diff != "" {
		t.Errorf("pages of 1 (-whole log +pages):\n%s", diff)
	}
	if p := get("/api/v1/webhooks/1/deliveries?limit=3"); len(p.Items) != 3 || p.Next != nil {
		t.Errorf("a page holding the whole log = %d items, next %v, want 3 and null", len(p.Items), p.Next)
	}
	if code, body := callDocumented(t, a, token, "GET", "/api/v1/webhooks/1/deliveries?after=x", ""); code != http.StatusUnprocessableEntity {
		t.Errorf("?after=x = %d %s, want 422", code, body)
	}
}
