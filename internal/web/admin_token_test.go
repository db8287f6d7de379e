package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

var tokenSecret = regexp.MustCompile(`bt_[A-Za-z0-9_-]{43}`)

// TestAdminTokens creates a token (its secret shown once), uses it on the
// API, sees its last use listed, and revokes it.
func TestAdminTokens(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/tokens")
	if resp, body := a.postBody("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"  "}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "name") {
		t.Errorf("a token without a name = %d:\n%s", resp.StatusCode, body)
	}
	resp := a.post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"shop-sync"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d, want 303 to the page of its secret", resp.StatusCode)
	}
	resp, body := a.get(resp.Header.Get("Location"))
	secret := tokenSecret.FindString(body)
	if resp.StatusCode != http.StatusOK || secret == "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the new token's page = %d, Cache-Control %q:\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	_, list := a.get("/admin/tokens")
	if strings.Contains(list, secret) || !strings.Contains(list, "shop-sync") || !strings.Contains(list, "never") {
		t.Fatalf("the list shows the secret, or not the token unused:\n%s", list)
	}

	api := func() int {
		req, _ := http.NewRequest("GET", a.base+"/api/v1/articles", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := api(); got != http.StatusOK {
		t.Fatalf("the new token on the API = %d", got)
	}
	_, list = a.get("/admin/tokens")
	if today := time.Now().UTC().Format("2006-01-02"); strings.Contains(list, "never") || !strings.Contains(list, today) {
		t.Errorf("the list does not show today's use:\n%s", list)
	}

	m := regexp.MustCompile(`/admin/tokens/(\d+)/revoke`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("no revoke link:\n%s", list)
	}
	path := "/admin/tokens/" + m[1] + "/revoke"
	if resp, body := a.get(path); resp.StatusCode != 200 || !strings.Contains(body, "shop-sync") || !strings.Contains(body, `name="confirm"`) {
		t.Fatalf("GET %s = %d:\n%s", path, resp.StatusCode, body)
	}
	if resp := a.post(path, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusUnprocessableEntity || api() != http.StatusOK {
		t.Fatalf("revoke without the box = %d", resp.StatusCode)
	}
	if resp := a.post(path, url.Values{"csrf": {csrf}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if got := api(); got != http.StatusUnauthorized {
		t.Errorf("the revoked token on the API = %d, want 401", got)
	}
	if _, list := a.get("/admin/tokens"); strings.Contains(list, "shop-sync") {
		t.Errorf("the revoked token is still listed:\n%s", list)
	}
}
