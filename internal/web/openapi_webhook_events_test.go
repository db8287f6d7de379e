package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// The document's WebhookSubscriber and WebhookClick are the data hooks
// posts with subscriber.* and link.clicked events, field for field, every
// one always sent.
func TestDocumentDescribesSubscriberAndClickEventData(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, typ := range map[string]reflect.Type{"WebhookSubscriber": reflect.TypeFor[hooks.Subscriber](), "WebhookClick": reflect.TypeFor[hooks.Click]()} {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Errorf("internal/web/openapi.json has no components.schemas.%s", name)
			continue
		}
		fields := jsonFields(typ)
		slices.Sort(fields)
		var documented []string
		for p := range ref.Value.Properties {
			documented = append(documented, p)
		}
		slices.Sort(documented)
		if diff := cmp.Diff(fields, documented); diff != "" {
			t.Errorf("%s's properties against %s's fields (-code +document):\n%s", name, typ, diff)
		}
		required := slices.Sorted(slices.Values(ref.Value.Required))
		if diff := cmp.Diff(fields, required); diff != "" {
			t.Errorf("%s's required against %s's fields, every one always sent (-code +document):\n%s", name, typ, diff)
		}
	}
	d := doc.Components.Schemas["WebhookEvents"].Value.Description
	for _, want := range []string{"`WebhookSubscriber`", "`WebhookClick`", "one of several lists"} {
		if !strings.Contains(d, want) {
			t.Errorf("WebhookEvents does not say %s: %s", want, d)
		}
	}
}

// TestWebhookEventDataMatchesTheDocument: the data of the subscriber and
// link.clicked events Bulletin really writes to its outbox, each of the
// event types, validates against the schema the document gives it, and
// has exactly its members. A reader leaving one of two lists is
// subscriber.updated, their lists naming the other.
func TestWebhookEventDataMatchesTheDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	s, a, token, db := fullServerDB(t)
	ctx := context.Background()
	call := func(method, path, body string, want int) map[string]any {
		t.Helper()
		code, got := apiCall(t, a.base, token, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %v, want %d", method, path, code, got, want)
		}
		return got
	}
	events, _ := json.Marshal(append(slices.DeleteFunc(slices.Clone(hooks.Types), func(typ string) bool {
		return !strings.HasPrefix(typ, "subscriber.")
	}), hooks.LinkClicked))
	call("POST", "/api/v1/webhooks", `{"url":"https://93.184.215.14/in","events":`+string(events)+`}`, http.StatusCreated)
	call("POST", "/api/v1/lists", `{"slug":"sport","name":"Sport"}`, http.StatusCreated)

	sub := call("POST", "/api/v1/subscribers", `{"email":"grace@example.com","name":"Grace","status":"confirmed","lists":["news","sport"],
		"attributes":{"city":"Arlington"}}`, http.StatusCreated)
	id := int64(sub["id"].(float64))
	path := fmt.Sprintf("/api/v1/subscribers/%d", id)
	var sport int64
	if err := db.Read.QueryRow(`SELECT id FROM lists WHERE slug = 'sport'`).Scan(&sport); err != nil {
		t.Fatal(err)
	}
	if err := s.Subscribers.LeaveList(ctx, id, sport); err != nil { // the link of sport's mail
		t.Fatal(err)
	}
	call("PATCH", path, `{"status":"unsubscribed"}`, http.StatusOK)
	call("PATCH", path, `{"status":"confirmed","lists":["news"]}`, http.StatusOK)
	call("PATCH", path, `{"status":"bounced"}`, http.StatusOK)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		// A complaint's and a click's data, by the functions their
		// recorders call.
		if err := hooks.EmitSubscriber(ctx, tx, hooks.SubscriberComplained, id); err != nil {
			return err
		}
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		return hooks.EmitClicks(ctx, tx, hooks.Click{CampaignID: 1, URL: "https://news.example/bridge", Clicks: 3, Since: at, Until: at.Add(time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
	call("DELETE", path, "", http.StatusNoContent)

	rows, err := db.Read.Query(`SELECT type, body FROM webhook_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var seen []string
	for rows.Next() {
		var typ, raw string
		if err := rows.Scan(&typ, &raw); err != nil {
			t.Fatal(err)
		}
		var body struct{ Data map[string]any }
		if err := json.Unmarshal([]byte(raw), &body); err != nil {
			t.Fatal(err)
		}
		schema := "WebhookSubscriber"
		if typ == hooks.LinkClicked {
			schema = "WebhookClick"
		}
		checkEventData(t, doc, typ, schema, body.Data)
		if !slices.Contains(seen, typ) {
			seen = append(seen, typ)
		}
		if typ == hooks.SubscriberUpdated && !slices.Contains(seen, hooks.SubscriberUnsubscribed) {
			if diff := cmp.Diff([]any{"news"}, body.Data["lists"]); diff != "" || body.Data["status"] != "confirmed" {
				t.Errorf("subscriber.updated of leaving sport: status %v, lists (-want +got):\n%s", body.Data["status"], diff)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{hooks.SubscriberCreated, hooks.SubscriberUpdated, hooks.SubscriberUnsubscribed, hooks.SubscriberConfirmed,
		hooks.SubscriberBounced, hooks.SubscriberComplained, hooks.LinkClicked, hooks.SubscriberErased}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("event types in the outbox, in order of their first (-want +got):\n%s", diff)
	}
}

// checkEventData checks the data of an event of type typ against the
// document's schema: its members by name, and their values.
func checkEventData(t *testing.T, doc *openapi3.T, typ, schema string, data map[string]any) {
	t.Helper()
	s := doc.Components.Schemas[schema].Value
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range data {
			if !yield(k) {
				return
			}
		}
	})
	var documented []string
	for k := range s.Properties {
		documented = append(documented, k)
	}
	slices.Sort(documented)
	if diff := cmp.Diff(documented, got); diff != "" {
		t.Errorf("%s data's members against %s's (-document +event):\n%s", typ, schema, diff)
	}
	if err := s.VisitJSON(data, openapi3.MultiErrors()); err != nil {
		t.Errorf("%s data %v does not match %s: %v", typ, data, schema, err)
	}
}
