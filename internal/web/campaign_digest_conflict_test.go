package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A digest reads back at /api/v1/campaigns/{id}, so changing it there is
// a conflict that says it is a digest and where digests are run, never a
// 404 that says it is not there; the digest is left as it was. An id
// nobody has is still a 404.
func TestCampaignAPIRefusesDigestWithConflict(t *testing.T) {
	_, h, token := digestServer(t)
	w := do(t, h, "POST", "/api/v1/digests/run", token, `{"list":"news"}`)
	var run struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &run); err != nil || w.Code != http.StatusCreated || run.ID == 0 {
		t.Fatalf("run: %d %s", w.Code, w.Body)
	}
	path := "/api/v1/campaigns/" + strconv.FormatInt(run.ID, 10)
	tests := []struct {
		method, suffix, body, action string
	}{
		{"PATCH", "", `{"subject":"x"}`, "edited"},
		{"DELETE", "", "", "deleted"},
		{"POST", "/send", "", "sent"},
		{"POST", "/pause", "", "paused"},
		{"POST", "/resume", "", "resumed"},
		{"POST", "/cancel", "", "cancelled"},
		{"POST", "/duplicate", "", "duplicated"},
	}
	for _, tt := range tests {
		w := do(t, h, tt.method, path+tt.suffix, token, tt.body)
		var got errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s %s: %d %s", tt.method, path+tt.suffix, w.Code, w.Body)
		}
		want := "Campaign " + strconv.FormatInt(run.ID, 10) + " is a digest, which cannot be " + tt.action + ":"
		if w.Code != http.StatusConflict || got.Error != "conflict" || !strings.HasPrefix(got.Message, want) ||
			!strings.Contains(got.Message, "POST /api/v1/digests/run") {
			t.Errorf("%s %s = %d %+v, want 409 conflict saying %q and naming POST /api/v1/digests/run",
				tt.method, path+tt.suffix, w.Code, got, want)
		}
		if w := do(t, h, tt.method, "/api/v1/campaigns/999"+tt.suffix, token, tt.body); w.Code != http.StatusNotFound {
			t.Errorf("%s of no campaign = %d %s, want 404", tt.method, w.Code, w.Body)
		}
	}
	w = do(t, h, "GET", path, token, "")
	var after struct {
		Kind   string `json:"kind"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &after); err != nil || w.Code != http.StatusOK || after.Kind != "digest" || after.Status != run.Status {
		t.Errorf("GET %s after the refusals = %d %s, want the digest still %s", path, w.Code, w.Body, run.Status)
	}
	w = do(t, h, "GET", "/api/v1/campaigns", token, "")
	if strings.Contains(w.Body.String(), "Copy of") {
		t.Errorf("a refused duplicate made a campaign: %s", w.Body)
	}
}

// The campaign page's forms go through the same service: an action
// posted for a digest shows the digest's page with the conflict.
func TestAdminCampaignFormsRefuseDigest(t *testing.T) {
	svc, a := newDigestAdmin(t)
	past, err := svc.Recent(context.Background(), "digest", 1)
	if err != nil || len(past) != 1 {
		t.Fatalf("Recent = %v, %v", past, err)
	}
	id := strconv.FormatInt(past[0].ID, 10)
	token := a.csrfOf("/admin/campaigns/" + id)
	for _, action := range []string{"pause", "cancel", "delete", "edit"} {
		form := url.Values{"csrf": {token}, "subject": {"x"}, "body": {"x"}, "lists": {"news"}}
		resp, body := a.postBody("/admin/campaigns/"+id+"/"+action, form)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "is a digest, which cannot be") {
			t.Errorf("POST /admin/campaigns/%s/%s = %d, want 409 saying it is a digest:\n%s", id, action, resp.StatusCode, body)
		}
	}
}
