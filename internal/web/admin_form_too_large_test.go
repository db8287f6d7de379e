package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postRaw posts body to path as ctype, from the page referer (a path of
// this site, or ""), chunked when chunked is set.
func (a *adminClient) postRaw(path, referer, ctype string, body []byte, chunked bool) (*http.Response, string) {
	a.t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // no length known: the client sends it chunked
	}
	req, _ := http.NewRequest("POST", a.base+path, r)
	req.Header.Set("Content-Type", ctype)
	if referer != "" {
		req.Header.Set("Referer", a.base+referer)
	}
	return a.send(req)
}

// An admin form over its limit is refused unread, so nothing typed can be
// shown again; the browser still has it on Back, and the 413 page says so
// first, with the limit, what to change for that form, and a link to the
// form's page (no script: the admin's CSP runs none inline). Before, a
// campaign got a bare "That did not work" with a link to the dashboard,
// and the settings asked for the form to be filled in again.
func TestAdminFormTooLargeSaysGoBack(t *testing.T) {
	_, a := newSettingsServer(t)
	csrf := a.csrfOf("/admin/settings")
	pasted := "![photo](data:image/png;base64," + strings.Repeat("A", MaxBodyBytes) + ")"
	campaign := []byte(url.Values{"csrf": {csrf}, "subject": {"Spring"}, "body": {pasted}}.Encode())
	const goBack = "<strong>Go back: your browser still has what you typed.</strong> Use its Back button. Then "

	for _, chunked := range []bool{false, true} {
		resp, body := a.postRaw("/admin/campaigns", "/admin/campaigns/new", "application/x-www-form-urlencoded", campaign, chunked)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("campaign over 1 MiB (chunked %v) = %d %s, want 413 and a page:\n%.2000s", chunked, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		for _, want := range []string{goBack + "link images by their web address", "over 1 MiB", `<a href="/admin/campaigns/new">Open the form again</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("campaign over 1 MiB (chunked %v): the page lacks %q:\n%s", chunked, want, body)
			}
		}
		if strings.Contains(body, "That did not work") {
			t.Errorf("campaign over 1 MiB: still the bare error page:\n%s", body)
		}
	}

	// The settings' logo, over the form's own limit.
	logo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 600<<10)...)
	var form bytes.Buffer
	form.WriteString("--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n")
	form.WriteString("--b\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n")
	form.Write(logo)
	form.WriteString("\r\n--b--\r\n")
	resp, body := a.postRaw("/admin/settings", "/admin/settings", "multipart/form-data; boundary=b", form.Bytes(), false)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 600 KiB logo = %d, want 413:\n%.2000s", resp.StatusCode, body)
	}
	for _, want := range []string{goBack + "choose a logo of at most 512 KiB", `<a href="/admin/settings">Open the form again</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("a 600 KiB logo: the page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "fill in the form again") {
		t.Errorf("a 600 KiB logo: the page asks for the form again:\n%s", body)
	}

	// Without a Referer of this site, the link is to the dashboard.
	for _, ref := range []string{"", "//evil.example/admin/lists"} {
		req, _ := http.NewRequest("POST", a.base+"/admin/lists", bytes.NewReader(campaign))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if ref != "" {
			req.Header.Set("Referer", "https:"+ref)
		}
		resp, err := a.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), `<a href="/admin">Back to the dashboard</a></p>`) ||
			!strings.Contains(string(b), goBack+"shorten the longest field") {
			t.Errorf("a list form over 1 MiB from %q = %d:\n%s", ref, resp.StatusCode, b)
		}
	}
}
