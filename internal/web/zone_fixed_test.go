package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A fixed-offset zone was taken for a list's digest without a word:
// "EST" never has summer time, so a New York publisher's 08:00 digest came
// at 09:00 there all summer, and "Etc/GMT+10" is UTC−10, its sign
// reversed. Both are refused (422) with what to write instead; UTC and
// Etc/UTC are a choice of their own and pass. A list saved with such a
// zone before keeps working: its other fields still change, and the
// Digests page and its own page warn of the zone.
func TestListRefusesFixedOffsetZones(t *testing.T) {
	e := newSubEnv(t, 0)
	fault := func(body string) string {
		var got struct {
			Fields map[string]string `json:"fields"`
		}
		json.Unmarshal([]byte(body), &got)
		return got.Fields["timezone"]
	}
	for zone, want := range map[string][]string{
		"EST":        {"EST has no summer time", "America/New_York"},
		"Etc/GMT+10": {"UTC−10", "reversed", "Pacific/Honolulu"},
		"Etc/GMT-3":  {"UTC+3", "reversed", "Europe/Moscow"},
		"GMT":        {"Europe/London", "UTC"},
		"est":        {"EST has no summer time"}, // not "write EST"
	} {
		for _, req := range []struct{ method, path, body string }{
			{"PATCH", "/api/v1/lists/daily-news", `{"timezone":"` + zone + `"}`},
			{"POST", "/api/v1/lists", `{"slug":"fixed","name":"Fixed","timezone":"` + zone + `"}`},
		} {
			w := e.api(req.method, req.path, req.body)
			why := fault(w.Body.String())
			if w.Code != http.StatusUnprocessableEntity || why == "" {
				t.Errorf("%s %s = %d %s, want 422 with a timezone fault", req.method, req.body, w.Code, w.Body)
				continue
			}
			for _, s := range want {
				if !strings.Contains(why, s) {
					t.Errorf("%s %s: the fault %q does not say %q", req.method, req.body, why, s)
				}
			}
		}
	}
	for _, zone := range []string{"UTC", "Etc/UTC", "America/New_York", "Pacific/Honolulu"} {
		if w := e.api("PATCH", "/api/v1/lists/daily-news", `{"timezone":"`+zone+`"}`); w.Code != http.StatusOK {
			t.Errorf("PATCH timezone %s = %d %s, want 200", zone, w.Code, w.Body)
		}
	}
	// A list stored with one before keeps it, and its other fields change.
	if _, err := e.db.Write.Exec(`UPDATE lists SET timezone = 'EST' WHERE slug = 'daily-news'`); err != nil {
		t.Fatal(err)
	}
	if w := e.api("PATCH", "/api/v1/lists/daily-news", `{"name":"Morning News","timezone":"EST"}`); w.Code != http.StatusOK {
		t.Errorf("PATCH of a list stored with EST = %d %s, want 200", w.Code, w.Body)
	}
}

// The admin's pages warn of a list's fixed-offset zone saved before such
// zones were refused, and its form refuses one typed anew.
func TestAdminWarnsOfFixedOffsetZones(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	if _, err := db.Write.Exec(`UPDATE lists SET timezone = 'EST' WHERE slug = 'news'`); err != nil {
		t.Fatal(err)
	}
	_, body := a.get("/admin/digests")
	if !strings.Contains(body, `<a href="/admin/lists/news">Change the time zone</a>: EST has no summer time: use a place name such as America/New_York.`) {
		t.Errorf("the Digests page does not warn of news's EST:\n%s", body)
	}
	if strings.Contains(body, "Europe/Paris has") {
		t.Errorf("the Digests page warns of Europe/Paris:\n%s", body)
	}
	_, body = a.get("/admin/lists/news")
	if !strings.Contains(body, `id="timezone-warning"`) || !strings.Contains(body, `aria-describedby="timezone-warning"`) ||
		!strings.Contains(body, "EST has no summer time: use a place name such as America/New_York.") {
		t.Errorf("the list's page does not warn of its EST:\n%s", body)
	}
	_, body = a.get("/admin/lists/weekend")
	if strings.Contains(body, "timezone-warning") {
		t.Errorf("the page of a list in Europe/Paris warns of its zone:\n%s", body)
	}
}

// A campaign's send_zone follows the same rule when the editor names it:
// a fixed offset is refused unless it is one a list has (the form fills
// in the lists' zone) or the one the campaign has stored.
func TestCampaignSendZoneRefusesFixedOffsets(t *testing.T) {
	_, a, db, token := campaignServerWithDB(t)
	at := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	body := func(zone string) string {
		return `{"subject":"Tides","body":"High water.","lists":["news"],"send_at":"` + at + `","send_zone":"` + zone + `"}`
	}
	code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", body("Etc/GMT+10"))
	if f, _ := c["fields"].(map[string]any); code != http.StatusUnprocessableEntity || !strings.Contains(f["send_zone"].(string), "UTC−10") {
		t.Errorf("send_zone Etc/GMT+10 = %d %v, want 422 naming UTC−10", code, c)
	}
	if code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", body("Etc/UTC")); code != http.StatusCreated {
		t.Errorf("send_zone Etc/UTC = %d %v, want 201", code, c)
	}
	if _, err := db.Write.Exec(`UPDATE lists SET timezone = 'EST' WHERE slug = 'news'`); err != nil {
		t.Fatal(err)
	}
	code, c = apiCall(t, a.base, token, "POST", "/api/v1/campaigns", body("EST"))
	if code != http.StatusCreated {
		t.Fatalf("send_zone EST, the zone of the list news = %d %v, want 201", code, c)
	}
	id := strconv.FormatInt(int64(c["id"].(float64)), 10)
	if _, err := db.Write.Exec(`UPDATE lists SET timezone = 'America/New_York' WHERE slug = 'news'`); err != nil {
		t.Fatal(err)
	}
	if code, c := apiCall(t, a.base, token, "PATCH", "/api/v1/campaigns/"+id, `{"subject":"Tides at noon"}`); code != http.StatusOK {
		t.Errorf("PATCH subject of a campaign kept in EST = %d %v, want 200", code, c)
	}
	if code, c := apiCall(t, a.base, token, "PATCH", "/api/v1/campaigns/"+id, `{"send_zone":"MST"}`); code != http.StatusUnprocessableEntity {
		t.Errorf("PATCH send_zone MST = %d %v, want 422", code, c)
	}
}
