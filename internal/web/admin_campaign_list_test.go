package web

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A draft or a scheduled campaign has no progress yet: the campaign list
// shows whom it will reach instead of "0 / 0".
func TestCampaignListShowsDraftAudience(t *testing.T) {
	_, a, _, token := campaignServer(t)
	draft, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	later, _ := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	a.login("correct horse battery")
	_, body := a.get("/admin/campaigns")
	for _, page := range []string{draft, later} {
		row := regexp.MustCompile(`<a href="` + page + `">.*?</tr>`).FindString(body)
		if !strings.Contains(row, `<td data-label="Progress"><span class="muted">to</span> 1 reader</td>`) || strings.Contains(row, "0 / 0") {
			t.Errorf("row of %s shows no audience: %s", page, row)
		}
	}
}

// A digest's page, where the Digests page's "Send now" leads, belongs to
// the Digests tab and leads back there; a campaign's to Campaigns.
func TestDigestPageIsUnderDigests(t *testing.T) {
	svc, a := newDigestAdmin(t)
	items, err := svc.Recent(context.Background(), "digest", 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("Recent digests = %v, %v", items, err)
	}
	resp, body := a.get("/admin/campaigns/" + strconv.FormatInt(items[0].ID, 10))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/admin/digests" class="on" aria-current="page">Digests</a>`) ||
		!strings.Contains(body, `<a href="/admin/digests">← Digests</a>`) ||
		strings.Contains(body, `class="on" aria-current="page">Campaigns</a>`) || strings.Contains(body, "← Campaigns") {
		t.Errorf("a digest's page = %d, want the Digests tab on and a link back to Digests:\n%s", resp.StatusCode, body)
	}

	_, a2, _, token := campaignServer(t)
	page, _ := createCampaign(t, a2, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	a2.login("correct horse battery")
	if _, body := a2.get(page); !strings.Contains(body, `<a href="/admin/campaigns" class="on" aria-current="page">Campaigns</a>`) || !strings.Contains(body, "← Campaigns") {
		t.Errorf("a campaign's page left the Campaigns tab:\n%s", body)
	}
}
