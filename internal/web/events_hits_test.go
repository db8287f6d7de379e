package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// trackedHits are the rows storeTrackedHits stores.
type trackedHits struct {
	at                time.Time
	campaign, other   int64 // the tracked campaign, and one without hits
	grace             int64 // the second reader
	adaClick, adaOpen int64
	graceClick        int64
	anonClick         int64
}

// storeTrackedHits adds, to fullServerDB's data (reader 1 is Ada), reader
// Grace, a campaign with tracking on mailed to both, and its hits: Ada's
// click and open, a link scanner's click and a mail provider's proxy
// open on Ada's mail, Grace's click, and a click naming no delivery (as
// anonymous tracking stores it). A second campaign has a bounce only.
func storeTrackedHits(t *testing.T, s *Server, db *sqlite.DB) trackedHits {
	t.Helper()
	exec := execer(t, db)
	g, err := s.Subscribers.Create(context.Background(), &subscribers.NewSubscriber{
		Email: "grace@example.com", Name: "Grace", Status: "confirmed", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	h := trackedHits{at: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), grace: g.ID}
	h.campaign = exec(`INSERT INTO campaigns (subject, status, tracking, opens, created_at, updated_at) VALUES ('Issue', 'sent', 'on', 1, ?, ?)`, h.at, h.at)
	h.other = exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Other', 'sent', ?, ?)`, h.at, h.at)
	exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 0, 'https://news.example/bridge'), (?, 1, 'https://news.example/tide')`, h.campaign, h.campaign)
	ada := exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, 1, 'sent', ?, ?)`, h.campaign, h.at, h.at)
	grace := exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, h.campaign, g.ID, h.at, h.at)
	h.adaClick = exec(`INSERT INTO clicks (campaign_id, link_idx, delivery_id, clicker, at) VALUES (?, 0, ?, 1, ?)`, h.campaign, ada, h.at)
	exec(`INSERT INTO clicks (campaign_id, link_idx, delivery_id, clicker, at, machine, reason) VALUES (?, 1, ?, 1, ?, 1, 'scanner')`, h.campaign, ada, h.at)
	h.graceClick = exec(`INSERT INTO clicks (campaign_id, link_idx, delivery_id, clicker, at) VALUES (?, 1, ?, 2, ?)`, h.campaign, grace, h.at.Add(time.Minute))
	h.anonClick = exec(`INSERT INTO clicks (campaign_id, link_idx, at) VALUES (?, 0, ?)`, h.campaign, h.at.Add(2*time.Minute))
	h.adaOpen = exec(`INSERT INTO opens (campaign_id, delivery_id, opener, at) VALUES (?, ?, 1, ?)`, h.campaign, ada, h.at)
	exec(`INSERT INTO opens (campaign_id, delivery_id, opener, at, machine, reason) VALUES (?, ?, 1, ?, 1, 'apple-proxy')`, h.campaign, ada, h.at)
	exec(`INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at)
		VALUES ('bounce_soft', 'smtp', '4.2.2', 'mailbox full', ?, ?, 'grace@example.com', 'hits-1', ?, ?)`, h.other, g.ID, h.at, h.at)
	return h
}

// A hitJSON is a click or open as GET /api/v1/events answers it.
type hitJSON struct {
	ID           int64  `json:"id"`
	Type         string `json:"type"`
	SubscriberID *int64 `json:"subscriber_id"`
	CampaignID   *int64 `json:"campaign_id"`
	Source       string `json:"source"`
	Detail       struct {
		Email string `json:"email"`
		URL   string `json:"url"`
	} `json:"detail"`
	At time.Time `json:"at"`
}

// getDocumented sends an API GET and checks its answer against the
// OpenAPI document; it returns the status and the body.
func getDocumented(t *testing.T, a *adminClient, token, path string) (int, []byte) {
	t.Helper()
	return callDocumented(t, a, token, "GET", path, "")
}

// documented is the OpenAPI document's router, loaded once for the
// package's tests: loading and checking the document for each call took
// most of the time of the tests that make a hundred calls. The package's
// tests run one at a time and only read it.
var documented struct {
	once   sync.Once
	router routers.Router
	err    error
}

// documentedRouter is the router of internal/web/openapi.json.
func documentedRouter(t *testing.T) routers.Router {
	t.Helper()
	documented.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(openapiJSON)
		if err == nil {
			err = doc.Validate(context.Background())
		}
		if err == nil {
			documented.router, err = gorillamux.NewRouter(doc)
		}
		documented.err = err
	})
	if documented.err != nil {
		t.Fatalf("internal/web/openapi.json: %v", documented.err)
	}
	return documented.router
}

// callDocumented sends an API request with the JSON body (none when "")
// and checks the request and its answer against the OpenAPI document; it
// returns the status and the answer's body.
func callDocumented(t *testing.T, a *adminClient, token, method, path, body string) (int, []byte) {
	t.Helper()
	router := documentedRouter(t)
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := validateCall(router, req, body, resp, got); err != nil {
		t.Errorf("%s %s %s answered %d %s\nwhich internal/web/openapi.json does not describe: %v", method, path, body, resp.StatusCode, got, err)
	}
	return resp.StatusCode, got
}

// GET /api/v1/events?type=click and ?type=open list people's clicks and
// opens (SPEC §6) from their own tables, machine hits left out, paged by
// their own ids; the reader is named where the delivery is recorded, and
// a click's detail has its link's URL. Without a type the listing keeps
// to bounces and complaints, whose ids are another table's.
func TestEventsListClicksAndOpensByType(t *testing.T) {
	s, a, token, db := fullServerDB(t)
	h := storeTrackedHits(t, s, db)
	ada, grace, campaign := int64(1), h.grace, h.campaign
	click := func(id int64, who *int64, email, url string, at time.Time) hitJSON {
		e := hitJSON{ID: id, Type: "click", SubscriberID: who, CampaignID: &campaign, Source: "link", At: at}
		e.Detail.Email, e.Detail.URL = email, url
		return e
	}
	list := func(path string) ([]hitJSON, *int64) {
		t.Helper()
		code, body := getDocumented(t, a, token, path)
		var p struct {
			Items []hitJSON `json:"items"`
			Next  *int64    `json:"next"`
		}
		if code != http.StatusOK || json.Unmarshal(body, &p) != nil {
			t.Fatalf("GET %s = %d %s", path, code, body)
		}
		return p.Items, p.Next
	}

	clicks := []hitJSON{
		click(h.adaClick, &ada, "ada@example.com", "https://news.example/bridge", h.at),
		click(h.graceClick, &grace, "grace@example.com", "https://news.example/tide", h.at.Add(time.Minute)),
		click(h.anonClick, nil, "", "https://news.example/bridge", h.at.Add(2*time.Minute)),
	}
	got, next := list("/api/v1/events?type=click")
	if diff := cmp.Diff(clicks, got); diff != "" || next != nil {
		t.Errorf("type=click (-want +got), next %v:\n%s", next, diff)
	}
	// A page of one hands out the id to go on from, as for the other
	// events; the last page has none.
	page, next := list("/api/v1/events?type=click&limit=1")
	if len(page) != 1 || page[0].ID != h.adaClick || next == nil || *next != h.adaClick {
		t.Fatalf("type=click&limit=1 = %v, next %v; want Ada's click and its id", page, next)
	}
	page, next = list(fmt.Sprintf("/api/v1/events?type=click&limit=2&after=%d", *next))
	if diff := cmp.Diff(clicks[1:], page); diff != "" || next != nil {
		t.Errorf("type=click after Ada's (-want +got), next %v:\n%s", next, diff)
	}
	if page, _ = list(fmt.Sprintf("/api/v1/events?type=click&campaign=%d", h.other)); len(page) != 0 {
		t.Errorf("type=click of a campaign without clicks = %v, want none", page)
	}

	opens := []hitJSON{{ID: h.adaOpen, Type: "open", SubscriberID: &ada, CampaignID: &campaign, Source: "pixel", At: h.at}}
	opens[0].Detail.Email = "ada@example.com"
	got, _ = list(fmt.Sprintf("/api/v1/events?type=open&campaign=%d", campaign))
	if diff := cmp.Diff(opens, got); diff != "" {
		t.Errorf("type=open (-want +got):\n%s", diff)
	}

	got, _ = list("/api/v1/events")
	if len(got) != 1 || got[0].Type != "bounce" {
		t.Errorf("GET /api/v1/events without a type = %v; want the one bounce, no click or open", got)
	}
	if code, body := getDocumented(t, a, token, "/api/v1/events?type=delivery"); code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "click or open") {
		t.Errorf("type=delivery = %d %s, want 422 naming the types", code, body)
	}
}
