package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// personExport is the part of GET /api/v1/subscribers/{id}/export that
// holds what was recorded about the person besides their row.
type personExport struct {
	Subscriber struct {
		Email string `json:"email"`
	} `json:"subscriber"`
	Deliveries  []any                `json:"deliveries"`
	Events      []exportedEvent      `json:"events"`
	Suppression *exportedSuppression `json:"suppression"`
	Clicks      []exportedHit        `json:"clicks"`
	Opens       []exportedHit        `json:"opens"`
}

type exportedEvent struct {
	Type       string    `json:"type"`
	Bounce     string    `json:"bounce"`
	CampaignID *int64    `json:"campaign_id"`
	Source     string    `json:"source"`
	Status     string    `json:"status"`
	Diagnostic string    `json:"diagnostic"`
	Email      string    `json:"email"`
	At         time.Time `json:"at"`
}

type exportedSuppression struct {
	Address   string    `json:"address"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// An exportedHit is a click or an open; an open has no URL.
type exportedHit struct {
	CampaignID int64     `json:"campaign_id"`
	URL        string    `json:"url"`
	At         time.Time `json:"at"`
	Machine    bool      `json:"machine"`
	Reason     string    `json:"reason"`
}

// A person's export holds everything stored about them (SPEC §3, a
// data-subject access request): the bounces and complaints recorded for
// them with the receiving server's words, their address's suppression,
// and the clicks and opens their deliveries name, machine ones marked.
// Another reader's rows and hits that name no one stay out.
func TestSubscriberExportHasTheirEvents(t *testing.T) {
	s, a, token, db := fullServerDB(t)
	h := storeTrackedHits(t, s, db)
	at, campaign := h.at, h.campaign
	for _, q := range []string{
		`INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id, email, dedupe_key, at, recorded_at)
			VALUES ('bounce_hard', 'dsn', '5.1.1', '550 5.1.1 <ada@example.com>: mailbox unknown', ?1, 1, 'ada@example.com', 'export-1', ?2, ?2)`,
		`INSERT INTO events (kind, source, subscriber_id, email, dedupe_key, at, recorded_at)
			VALUES ('complaint', 'arf', 1, 'ada@example.com', 'export-2', ?2, ?2)`,
		`INSERT INTO suppressions (target, reason, source, created_at) VALUES ('ada@example.com', 'complaint', 'arf', ?2)`,
		`INSERT INTO suppressions (target, reason, source, created_at) VALUES ('grace@example.com', 'manual', 'api', ?2)`,
	} {
		if _, err := db.Write.Exec(q, campaign, at); err != nil {
			t.Fatal(err)
		}
	}

	code, body := getDocumented(t, a, token, "/api/v1/subscribers/1/export")
	var got personExport
	if code != http.StatusOK || json.Unmarshal(body, &got) != nil {
		t.Fatalf("GET /api/v1/subscribers/1/export = %d %s", code, body)
	}
	if !strings.Contains(string(body), "mailbox unknown") {
		t.Errorf("the export lacks the diagnostic of the person's bounce:\n%s", body)
	}
	want := personExport{
		Deliveries: got.Deliveries,
		Events: []exportedEvent{
			{Type: "bounce", Bounce: "hard", CampaignID: &campaign, Source: "dsn", Status: "5.1.1",
				Diagnostic: "550 5.1.1 <ada@example.com>: mailbox unknown", Email: "ada@example.com", At: at},
			{Type: "complaint", Source: "arf", Email: "ada@example.com", At: at},
		},
		Suppression: &exportedSuppression{Address: "ada@example.com", Reason: "complaint", Source: "arf", CreatedAt: at},
		Clicks: []exportedHit{
			{CampaignID: campaign, URL: "https://news.example/bridge", At: at},
			{CampaignID: campaign, URL: "https://news.example/tide", At: at, Machine: true, Reason: "scanner"},
		},
		Opens: []exportedHit{
			{CampaignID: campaign, At: at},
			{CampaignID: campaign, At: at, Machine: true, Reason: "apple-proxy"},
		},
	}
	want.Subscriber.Email = "ada@example.com"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	if len(got.Deliveries) != 1 {
		t.Errorf("deliveries = %v, want Ada's one", got.Deliveries)
	}
}

// A person with nothing recorded gets empty lists and no suppression,
// not nulls.
func TestSubscriberExportOfNothingRecordedHasEmptyLists(t *testing.T) {
	_, a, token, _ := fullServerDB(t)
	code, body := getDocumented(t, a, token, "/api/v1/subscribers/1/export")
	for _, want := range []string{`"events":[]`, `"clicks":[]`, `"opens":[]`} {
		if code != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("export = %d %s\nwant %s", code, body, want)
		}
	}
	if strings.Contains(string(body), `"suppression"`) {
		t.Errorf("export of a reader not suppressed has a suppression: %s", body)
	}
}
