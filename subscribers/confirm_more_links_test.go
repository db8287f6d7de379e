package subscribers

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// The confirmation of a new list to a reader confirmed already (on
// Weekend Culture, signing up for Daily News: "nothing changes, and you
// keep getting Weekend Culture") carries their preferences and
// unsubscribe links, as the already-subscribed mail does: in the HTML
// part's footer, at the end of the text part, each signed for its purpose
// and the reader. It had none, though the reader gets mail from the
// publisher. Like the already-subscribed mail it is transactional: no
// List-Unsubscribe, List-Unsubscribe-Post or List-Id. A pending reader's
// confirmation carries neither link: they are on no list yet.
func TestConfirmationOfNewListCarriesTheReadersLinks(t *testing.T) {
	e := newSMTPEnv(t)
	for _, l := range []*List{{Slug: "culture", Name: "Weekend Culture", Public: true}, {Slug: "daily", Name: "Daily News", Public: true}} {
		if err := e.store.CreateList(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
	id := e.confirmedReader("kit@example.com", "culture")
	e.signup(&Signup{Email: "kit@example.com", Lists: []string{"daily"}})
	msgs := e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want the confirmation", len(msgs))
	}
	pm := mailtest.Parse(t, msgs[0].Data)
	if !strings.Contains(pm.Text, "/confirm/") || !strings.Contains(pm.Text, "you keep getting Weekend Culture.") {
		t.Fatalf("not the confirmation of a new list to a confirmed reader:\n%s", pm.Text)
	}
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"} {
		if v, ok := pm.Header[h]; ok {
			t.Errorf("%s = %q in a transactional mail, want none", h, v)
		}
	}
	for _, want := range []string{"\nChange your lists or details:\n  https://news.example/preferences/",
		"\nUnsubscribe from everything:\n  https://news.example/unsubscribe/"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, pm.Text)
		}
	}
	found := map[string]bool{}
	for _, m := range alreadyLinks.FindAllStringSubmatch(pm.Text, -1) {
		purpose := map[string]string{"preferences": TokenPreferences, "unsubscribe": TokenUnsubscribe}[m[1]]
		if got, err := e.c.Signer.Verify(purpose, m[2]); err != nil || got != id {
			t.Errorf("%s link verifies as reader %d, %v; want %d", m[1], got, err, id)
		}
		if !strings.Contains(pm.HTML, `href="`+m[0]+`"`) {
			t.Errorf("HTML part does not link to %s", m[0])
		}
		found[m[1]] = true
	}
	if !found["preferences"] || !found["unsubscribe"] {
		t.Errorf("links in the text part: %v, want preferences and unsubscribe", found)
	}

	e.signup(&Signup{Email: "pat@example.com", Lists: []string{"daily"}})
	msgs = e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d mails to a pending reader, want the confirmation", len(msgs))
	}
	pm = mailtest.Parse(t, msgs[0].Data)
	if body := pm.Text + pm.HTML; strings.Contains(body, "/preferences/") || strings.Contains(body, "/unsubscribe/") {
		t.Errorf("a pending reader's confirmation has a preferences or unsubscribe link:\n%s", pm.Text)
	}
	if _, ok := pm.Header["List-Unsubscribe"]; ok {
		t.Error("a pending reader's confirmation has List-Unsubscribe")
	}
}
