package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The edit and delete pages of a digest say what their forms' posts say:
// a 409 naming it a digest and where digests are run, on the digest's
// page, not a 404 that says it is not there. An id nobody has is still a
// 404.
func TestAdminCampaignPagesRefuseDigest(t *testing.T) {
	svc, a := newDigestAdmin(t)
	past, err := svc.Recent(context.Background(), "digest", 1)
	if err != nil || len(past) != 1 {
		t.Fatalf("Recent = %v, %v", past, err)
	}
	id := strconv.FormatInt(past[0].ID, 10)
	for _, tt := range []struct{ page, action string }{{"edit", "edited"}, {"delete", "deleted"}} {
		resp, body := a.get("/admin/campaigns/" + id + "/" + tt.page)
		want := "Campaign " + id + " is a digest, which cannot be " + tt.action + ":"
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, want) || !strings.Contains(body, "/admin/digests") {
			t.Errorf("GET /admin/campaigns/%s/%s = %d, want 409 saying %q:\n%s", id, tt.page, resp.StatusCode, want, body)
		}
		if resp, _ := a.get("/admin/campaigns/999/" + tt.page); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /admin/campaigns/999/%s = %d, want 404", tt.page, resp.StatusCode)
		}
	}
}
