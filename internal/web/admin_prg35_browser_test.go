package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// In Chromium, the admin adds a webhook endpoint, rotates its secret and
// invites an admin, reloading the page each form leads to: every reload
// repeats nothing (one endpoint, the secret shown is the one stored, the
// first invite link still opens) and shows the secret or link no more,
// only a note that it was shown.
func TestReloadAfterSecretFormsInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	h := newHookAdmin(t)
	ctx := browser33(t)
	login33(t, ctx, h.a.base)
	secretInput := `document.querySelector("input[aria-label='Signing secret']")`
	noteShown := browsertest.WaitJS(`!!document.querySelector(".flash") && document.querySelector(".flash").textContent.includes("shown once")`, "the note that it was shown")

	pages31Do(t, ctx, "add an endpoint", chromedp.Navigate(h.a.base+"/admin/webhooks"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("hook-url").value = "http://127.0.0.1:9/in";
			document.querySelector("input[name=events][value='subscriber.created']").checked = true;
			document.querySelector("form[action='/admin/webhooks'] button[type=submit]").click()`),
		browsertest.WaitJS("!!"+secretInput, "the new endpoint's secret"))
	added := eval33[string](t, ctx, secretInput+".value")
	pages31Do(t, ctx, "reload after the add", chromedp.Reload(), noteShown)
	if eval33[bool](t, ctx, "!!"+secretInput) {
		t.Error("the reload after the add shows a secret")
	}
	list, err := h.store.List(t.Context())
	if err != nil || len(list) != 1 {
		t.Fatalf("%d endpoints after the add and a reload (%v), want 1", len(list), err)
	}
	if stored := h.secretOf(t, list[0].ID); added != stored {
		t.Errorf("the page showed %q, the endpoint has %q", added, stored)
	}

	pages31Do(t, ctx, "rotate its secret", chromedp.Navigate(h.a.base+hookURL(&list[0])),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action$='/rotate'] button[type=submit]").click()`),
		browsertest.WaitJS("!!"+secretInput, "the rotated secret"))
	rotated := eval33[string](t, ctx, secretInput+".value")
	pages31Do(t, ctx, "reload after the rotation", chromedp.Reload(), noteShown)
	if stored := h.secretOf(t, list[0].ID); rotated == added || rotated != stored {
		t.Errorf("the rotation showed %q, the endpoint has %q (it had %q): want one rotation", rotated, stored, added)
	}

	pages31Do(t, ctx, "invite", chromedp.Navigate(h.a.base+"/admin/team"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("email").value = "ann@example.com";
			document.querySelector("form[action='/admin/team/invites'] button[type=submit]").click()`),
		browsertest.WaitJS(`document.body.textContent.includes("/admin/invite/")`, "the invite link"))
	link := inviteLink.FindStringSubmatch(eval33[string](t, ctx, `document.querySelector("pre").textContent`))
	if link == nil {
		t.Fatal("no invite link on the page")
	}
	pages31Do(t, ctx, "reload after the invite", chromedp.Reload(),
		browsertest.WaitJS(`location.pathname === "/admin/team" && !!document.querySelector(".flash")`, "the team page's note"))
	if body := eval33[string](t, ctx, `document.body.textContent`); strings.Contains(body, "/admin/invite/") || !strings.Contains(body, "shown once") {
		t.Errorf("the reload after the invite shows a link, or no note:\n%s", body)
	}
	if pending, err := h.s.Admins.PendingInvites(t.Context()); err != nil || len(pending) != 1 {
		t.Errorf("%d pending invites (%v), want 1", len(pending), err)
	}
	if resp, body := h.a.another().get("/admin/invite/" + link[1]); resp.StatusCode != http.StatusOK {
		t.Errorf("the link shown = %d, want its password form:\n%s", resp.StatusCode, body)
	}
}
