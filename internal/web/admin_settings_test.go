package web

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

var settingsDefaults = settings.Defaults{PublicURL: "http://localhost:8080", From: "Bulletin <newsletter@localhost>"}

// newSettingsServer is a logged-in admin on a server whose settings are
// stored in the test's database, with the public pages wired too.
func newSettingsServer(t *testing.T) (*Server, *adminClient) {
	t.Helper()
	s, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Settings = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.SubscriberDeps = SubscriberDeps{Pages: s.Templates, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
			Signups: subscribers.NewSignups(s.Subscribers, dropQueue{}, s.Log)}
		if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
			t.Fatal(err)
		}
	})
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	return s, a
}

// postSettings posts the settings form as multipart, with a logo file
// when logo is not nil, and returns the answer and its body.
func (a *adminClient) postSettings(fields url.Values, logo []byte) (*http.Response, string) {
	a.t.Helper()
	if fields.Get("csrf") == "" {
		fields.Set("csrf", a.csrfOf("/admin/settings"))
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if logo != nil {
		fw, _ := mw.CreateFormFile("logo", "logo.png")
		fw.Write(logo)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", a.base+"/admin/settings", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// dropQueue takes tasks and does nothing with them.
type dropQueue struct{}

func (dropQueue) EnqueueContext(context.Context, *asynq.Task, ...asynq.Option) (*asynq.TaskInfo, error) {
	return &asynq.TaskInfo{}, nil
}

func goodSettings() url.Values {
	return url.Values{
		"name": {"Quayside Courier"}, "public_url": {"https://letters.quayside.example/"}, "website_url": {"https://quayside.example"},
		"accent": {"#B45309"}, "postal_address": {"Quayside Courier Ltd\r\n4 Rope Walk\r\nFalmouth TR11 3AB"},
		"from_name": {""}, "from_address": {"post@quayside.example"}, "reply_to": {"desk@quayside.example"}, "credit": {"on"},
	}
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var logoSrc = regexp.MustCompile(`src="(/media/logo-[0-9a-f]{16}\.png)"`)

// TestSettingsPageSavesAndServesTheLogo: the form shows the defaults,
// saves every field with a flash, and the logo is served at a hashed URL
// with the uploaded bytes, cached for good and never sniffed.
func TestSettingsPageSavesAndServesTheLogo(t *testing.T) {
	s, a := newSettingsServer(t)
	resp, body := a.get("/admin/settings")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="public_url"`) || !strings.Contains(body, "http://localhost:8080") {
		t.Fatalf("GET /admin/settings = %d, want the form showing the default public URL:\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `href="/admin/settings" class="on"`) {
		t.Error("the admin menu has no Settings entry, or it is not marked")
	}
	logo := testPNG(t)
	resp, body = a.postSettings(goodSettings(), logo)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/settings = %d to %q:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	checkFlashRedirect(t, "POST /admin/settings", resp, "/admin/settings", "settings-saved")
	if _, _, c := flashSet(resp); c == nil || !c.Secure {
		t.Errorf("the banner's cookie after a move to an https public URL is %v, want it Secure, as the session's is from then on", c)
	}
	p, err := s.Settings.Stored(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := settings.Publication{Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", WebsiteURL: "https://quayside.example",
		Logo: p.Logo, Accent: "#b45309", PostalAddress: "Quayside Courier Ltd\n4 Rope Walk\nFalmouth TR11 3AB",
		FromAddress: "post@quayside.example", ReplyTo: "desk@quayside.example", Credit: true, UpdatedAt: p.UpdatedAt}
	if diff := cmp.Diff(want, p); diff != "" || p.Logo == "" {
		t.Errorf("stored settings (-want +got):\n%s", diff)
	}
	_, body = a.followFlash(resp)
	if !strings.Contains(body, flashes["settings-saved"]) {
		t.Error("the page after a save shows no flash")
	}
	m := logoSrc.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the settings page shows no hashed logo:\n%s", body)
	}
	resp, got := a.get(m[1])
	if resp.StatusCode != http.StatusOK || got != string(logo) {
		t.Fatalf("GET %s = %d with %d bytes, want the %d uploaded", m[1], resp.StatusCode, len(got), len(logo))
	}
	for h, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Cache-Control": "public, max-age=31536000, immutable"} {
		if v := resp.Header.Get(h); v != want {
			t.Errorf("%s of the logo = %q, want %q", h, v, want)
		}
	}
	if resp, _ := a.get("/media/logo-0000000000000000.png"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown media file = %d, want 404", resp.StatusCode)
	}

	// Remove the logo: the rest stays; the old file stays served, for the
	// mail that shows it.
	f := goodSettings()
	f.Set("remove_logo", "on")
	if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove logo = %d:\n%s", resp.StatusCode, body)
	}
	if p, _ := s.Settings.Stored(context.Background()); p.Logo != "" || p.Name != "Quayside Courier" {
		t.Errorf("after remove logo: %+v", p)
	}
	if resp, _ := a.get(m[1]); resp.StatusCode != http.StatusOK {
		t.Errorf("a removed logo = %d, want it still served for mail already sent", resp.StatusCode)
	}
}

// TestSettingsPageRefusesBadFields: each bad field is a 422 with its
// error beside it, and nothing is stored, the logo included.
func TestSettingsPageRefusesBadFields(t *testing.T) {
	s, a := newSettingsServer(t)
	if resp, body := a.postSettings(goodSettings(), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save = %d:\n%s", resp.StatusCode, body)
	}
	before, _ := s.Settings.Stored(context.Background())
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	for _, tc := range []struct {
		field, value string
		logo         []byte
		says         string
	}{
		{"public_url", "letters.quayside.example", nil, "starting with https://"},
		{"website_url", "javascript:alert(1)", nil, "starting with https://"},
		{"accent", "orange", nil, "#rrggbb"},
		{"from_address", "Post <post@quayside.example>", nil, "only the address"},
		{"reply_to", "two@a.example, three@b.example", nil, "one address"},
		{"name", strings.Repeat("x", 101), nil, "100 characters"},
		{"logo", "", svg, "SVG logos are refused"},
		{"logo", "", []byte("%PDF-1.7 not an image"), "PNG, JPEG, GIF or WebP"},
		{"logo", "", append(testPNG(t), make([]byte, settings.MaxLogoBytes)...), "at most 512 KiB"},
	} {
		t.Run(tc.field+" "+tc.says, func(t *testing.T) {
			f := goodSettings()
			f.Set("name", "Changed")
			if tc.value != "" {
				f.Set(tc.field, tc.value)
			}
			resp, body := a.postSettings(f, tc.logo)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST = %d, want 422:\n%s", resp.StatusCode, body)
			}
			// The error sits right after the field it is about.
			field := regexp.MustCompile(`name="` + tc.field + `"[^>]*aria-invalid="true"[^>]*>\s*(<[^>]*>\s*)*<p class="error"[^>]*>[^<]*` + regexp.QuoteMeta(tc.says))
			if !field.MatchString(body) {
				t.Errorf("no error saying %q beside field %s:\n%s", tc.says, tc.field, body)
			}
			if !strings.Contains(body, "4 Rope Walk") {
				t.Error("the refused form lost the other values typed")
			}
			if after, _ := s.Settings.Stored(context.Background()); !cmp.Equal(before, after) {
				t.Errorf("a refused form changed the settings (-before +after):\n%s", cmp.Diff(before, after))
			}
		})
	}
	f := goodSettings()
	f.Set("csrf", "wrong")
	if resp, _ := a.postSettings(f, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST with a wrong CSRF token = %d, want 403", resp.StatusCode)
	}
}

// TestPagesShowThePublication: the public pages and the admin header name
// the publication, with its logo and accent, and the credit only while
// it is on.
func TestPagesShowThePublication(t *testing.T) {
	_, a := newSettingsServer(t)
	_, before := a.get("/subscribe")
	if !strings.Contains(before, "Powered by Bulletin") {
		t.Fatalf("the signup page before any setting lacks the credit:\n%s", before)
	}
	f := goodSettings()
	f.Del("credit")
	if resp, body := a.postSettings(f, testPNG(t)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d:\n%s", resp.StatusCode, body)
	}
	for _, path := range []string{"/subscribe", "/confirm/not-a-token", "/subscribe/embed"} {
		resp, body := a.get(path)
		if resp.StatusCode >= 500 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		for _, want := range []string{"<title>", "Quayside Courier</title>", `alt="Quayside Courier"`, "#b45309", `href="https://quayside.example"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %q", path, want)
			}
		}
		if logoSrc.FindString(body) == "" {
			t.Errorf("GET %s shows no logo", path)
		}
		if strings.Contains(body, "Powered by Bulletin") {
			t.Errorf("GET %s shows the credit, which is off", path)
		}
	}
	_, body := a.get("/admin")
	if !strings.Contains(body, "Quayside Courier") || !strings.Contains(body, "#b45309") {
		t.Errorf("the admin header does not show the publication:\n%s", body)
	}
	if _, body := a.get("/subscribe/embed"); !strings.Contains(body, "https://letters.quayside.example/subscribe") {
		t.Error("the embed snippet does not post to the stored public URL")
	}
}
