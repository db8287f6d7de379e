package web

import (
	"net/http"
	"testing"
)

// DELETE /api/v1/suppressions/{address} lifts an entry without a reason
// (SPEC §6 names no other input), and reads the address as the list
// stores it: in any case, with its domain in Unicode or the xn-- form, a
// domain with its trailing dot.
func TestLiftSuppressionWithoutReason(t *testing.T) {
	_, a, token := fullServer(t)
	for _, tc := range []struct{ add, lift string }{
		{`{"address":"blocked@example.com"}`, "blocked@example.com"},
		{`{"address":"robin@bücher.example"}`, "Robin@B%C3%9CCHER.example"},
		{`{"address":"robin@bücher.example"}`, "robin@xn--bcher-kva.example"},
		{`{"domain":"bücher.example"}`, "B%C3%BCcher.example."},
	} {
		if code, got := apiCall(t, a.base, token, "POST", "/api/v1/suppressions", tc.add); code != http.StatusCreated {
			t.Fatalf("POST /api/v1/suppressions %s = %d %v", tc.add, code, got)
		}
		if code, got := apiCall(t, a.base, token, "DELETE", "/api/v1/suppressions/"+tc.lift, ""); code != http.StatusNoContent {
			t.Errorf("DELETE /api/v1/suppressions/%s (added as %s) = %d %v; want 204", tc.lift, tc.add, code, got)
		}
	}
}
