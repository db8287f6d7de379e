package templates

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// A Clone renders every page and mail as the templates it copies do, and
// has a brand of its own: setting one clone's brand changes no other
// clone's pages, even rendered at the same time.
func TestCloneRendersAsLoadWithABrandOfItsOwn(t *testing.T) {
	orig, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Title": "Thanks", "Message": "Done.", "Back": "/", "BackText": "Back home"}
	render := func(tm *Templates) string {
		t.Helper()
		var b bytes.Buffer
		if err := tm.Page(&b, "message", data); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	plain, branded := orig.Clone(), orig.Clone()
	branded.SetBrand(func() Brand { b := DefaultBrand(); b.Name = "The Tidewater Gazette"; return b })
	want := render(fresh)
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			if i%2 == 0 {
				got[i] = render(plain)
			} else {
				got[i] = render(branded)
			}
		})
	}
	wg.Wait()
	for i, page := range got {
		if i%2 == 0 && page != want {
			t.Errorf("a clone without a brand renders the page otherwise than Load's:\n%s\nwant:\n%s", page, want)
		}
		if i%2 == 1 && !strings.Contains(page, "The Tidewater Gazette") {
			t.Errorf("the clone given a brand does not show it:\n%s", page)
		}
	}
	// A clone of a clone copies the original, not the clone's brand.
	if page := render(branded.Clone()); page != want {
		t.Errorf("a clone of a clone renders otherwise than Load's:\n%s", page)
	}
	if err := plain.Page(&bytes.Buffer{}, "no-such-page", nil); err == nil || !strings.Contains(err.Error(), `no page template "no-such-page"`) {
		t.Errorf("an unknown page = %v, want no page template", err)
	}
	ft, fh, err := fresh.Mail("confirm", map[string]any{})
	ct, ch, cerr := plain.Mail("confirm", map[string]any{})
	if ft != ct || fh != ch || (err == nil) != (cerr == nil) {
		t.Errorf("a clone's mail differs from Load's: %v / %v", err, cerr)
	}
}
