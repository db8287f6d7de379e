package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A settings form over its limit (a 2 MiB logo; the logo's limit is
// 512 KiB) is answered with the settings page, 413, saying to choose a
// logo of at most 512 KiB: not with the API's JSON error of limitBody's
// 1 MiB. Nothing in it is saved.
func TestSettingsFormOverItsLimitGetsTheSettingsPage(t *testing.T) {
	s, a := newSettingsServer(t)
	if resp, body := a.postSettings(goodSettings(), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/settings = %d:\n%s", resp.StatusCode, body)
	}
	logo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 2<<20)...)
	resp, body := a.postSettings(url.Values{"name": {"Tide Times"}}, logo)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "choose a logo of at most 512 KiB") {
		t.Errorf("a 2 MiB logo = %d %s:\n%.3000s\nwant 413 and the settings page saying the logo must be at most 512 KiB",
			resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if p, err := s.Settings.Stored(context.Background()); err != nil || p.Name != "Quayside Courier" {
		t.Errorf("stored name after the refused form = %q, %v; want the one saved before", p.Name, err)
	}
}
