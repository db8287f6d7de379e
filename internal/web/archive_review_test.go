package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// A page of older issues past the last one said "Nothing has been sent
// yet. Subscribe to get the first issue." under issues the reader had
// just paged through, and no page of older issues led back to the newest.
func TestArchiveOlderPages(t *testing.T) {
	db, h, _ := digestServer(t)
	c := &campaigns.Campaign{Subject: "Harbour letter", Body: "The quay reopens.", Lists: []string{"news"}}
	if err := campaigns.NewStore(db).Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = ? WHERE id = ?`, time.Now().Add(-time.Hour), c.ID); err != nil {
		t.Fatal(err)
	}
	newer := pastIssue(t, db, "Ferry letter", "The ferry runs again.", "sent", time.Now())
	after := func(id int64) string { return "/archive?before=" + strconv.FormatInt(id, 10) }
	tests := []struct {
		path          string
		want, notWant []string
	}{
		{"/archive", []string{"Harbour letter", "Ferry letter"}, []string{"← Newest issues", "no older issues"}},
		{after(newer), []string{"Harbour letter", `<a href="/archive">← Newest issues</a>`}, []string{"Nothing has been sent yet", "Ferry letter"}},
		{after(c.ID), []string{"There are no older issues.", `<a href="/archive">See the newest issues</a>`}, []string{"Nothing has been sent yet", "Harbour letter"}},
	}
	for _, tt := range tests {
		w := do(t, h, "GET", tt.path, "", "")
		body := w.Body.String()
		if w.Code != 200 {
			t.Errorf("GET %s: %d, want 200", tt.path, w.Code)
		}
		for _, s := range tt.want {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s lacks %q", tt.path, s)
			}
		}
		for _, s := range tt.notWant {
			if strings.Contains(body, s) {
				t.Errorf("GET %s says %q", tt.path, s)
			}
		}
	}
}
