package web

import (
	"net/http"
	"testing"
)

// The API takes "Authorization: Bearer TOKEN" with the scheme's name in
// any case (RFC 9110 §11.1, cited by RFC 6750 §2.1); another scheme, or
// the name run into the token, is a 401.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	_, a, token := fullServer(t)
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"bearer " + token, http.StatusOK},
		{"BEARER " + token, http.StatusOK},
		{"Bearer  " + token, http.StatusOK},
		{"Bearer" + token, http.StatusUnauthorized},
		{"Basic " + token, http.StatusUnauthorized},
		{"bearer wrong", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest("GET", a.base+"/api/v1/lists", nil)
		req.Header.Set("Authorization", tc.auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET /api/v1/lists with Authorization %q = %d, want %d", tc.auth[:min(len(tc.auth), 8)]+"…", resp.StatusCode, tc.want)
		}
	}
}
