package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestAdminFlashShowsOnlyKnownMessages: a link into the admin area is
// something anyone can send an admin, so the banner it shows must come
// from Bulletin's own table, never from the URL.
func TestAdminFlashShowsOnlyKnownMessages(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	tests := []struct{ flash, want string }{
		{"saved", "Saved."},
		{"erased", "Subscriber erased: their personal data is gone."},
		{"Your session expired. Log in again at https://evil.example/admin", ""},
		{"Saved.", ""},
		{"toString", ""},
		{"", ""},
	}
	for _, tt := range tests {
		_, body := a.get("/admin/lists?flash=" + url.QueryEscape(tt.flash))
		got := ""
		if _, rest, ok := strings.Cut(body, `<div class="flash" role="status">`); ok {
			got, _, _ = strings.Cut(rest, "</div>")
		}
		if got != tt.want {
			t.Errorf("?flash=%q shows %q, want %q", tt.flash, got, tt.want)
		}
		if tt.want == "" && tt.flash != "" && strings.Contains(body, "evil.example") {
			t.Errorf("?flash=%q: the URL's text is on the page", tt.flash)
		}
	}
}

// TestAdminRedirectsCarryFlashKeys follows a save to the page it lands on.
func TestAdminRedirectsCarryFlashKeys(t *testing.T) {
	s, a := newAdminServer(t)
	ctx := context.Background()
	sub, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ada@example.com", Name: "Ada", Status: "confirmed"})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	path := "/admin/subscribers/" + strconv.FormatInt(sub.ID, 10)
	_, body := a.get(path)
	token := csrfField.FindStringSubmatch(body)[1]
	resp := a.post(path, url.Values{"csrf": {token}, "name": {"Ada L."}, "status": {"confirmed"}, "frequency": {"daily"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", resp.StatusCode)
	}
	if _, body := a.get(resp.Header.Get("Location")); !strings.Contains(body, `<div class="flash" role="status">Saved.</div>`) {
		t.Errorf("after a save, %s shows no 'Saved.' banner", resp.Header.Get("Location"))
	}
	resp = a.post(path+"/erase", url.Values{"csrf": {token}})
	if _, body := a.get(resp.Header.Get("Location")); !strings.Contains(body, "Subscriber erased") {
		t.Errorf("after an erase, %s shows no banner", resp.Header.Get("Location"))
	}
}
