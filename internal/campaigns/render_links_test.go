package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// A link or image with a relative URL leads nowhere in a mail, which has
// no page to resolve it against: a save refuses it, naming each with its
// line. Full URLs, mailto: and links within the mail are taken.
func TestRelativeURLsRefusedAtSave(t *testing.T) {
	for _, tt := range []struct {
		body, want string // want: "" when taken, else what the error holds
	}{
		{"See [about](/about).", `line 1: the link "/about" is not a full URL`},
		{"Hi.\n\n![the quay](img/quay.jpg)", `line 3: the image "img/quay.jpg" is not a full URL`},
		{"[cdn](//cdn.example/x)", `the link "//cdn.example/x" is not a full URL`},
		{"[a](a.html) and [b](/b)", "the link \"a.html\" is not a full URL: " + relativeAdvice + "\nline 1: the link \"/b\" is not a full URL"},
		{"[ref]\n\n[ref]: ../up", `line 3: the link "../up" is not a full URL`},
		{"[site](https://news.example/a?b=1&c=2) ![x](https://news.example/x.png)", ""},
		{"[write](mailto:desk@news.example) [top](#top) <https://news.example/auto>", ""},
		{"[your page](https://news.example/me?e={{ .Email }})", ""},
	} {
		_, err := campaigns.Preview(tt.body, "Ada", "ada@example.com")
		check := campaigns.CheckBody(tt.body)
		switch {
		case tt.want == "" && (err != nil || check != nil):
			t.Errorf("%q refused: %v / %v", tt.body, err, check)
		case tt.want != "" && (check == nil || !strings.Contains(check.Error(), tt.want)):
			t.Errorf("%q: CheckBody says %v, want %q", tt.body, check, tt.want)
		case tt.want != "" && !strings.Contains(bulletin.ErrorFields(err)["body"], tt.want):
			t.Errorf("%q: Preview says %v, want the body refused with %q", tt.body, err, tt.want)
		}
	}
	// What the editor is told to do.
	err := campaigns.CheckBody("[about](/about)")
	if err == nil || !strings.Contains(err.Error(), relativeAdvice) {
		t.Errorf("CheckBody: %v, want what to write instead", err)
	}
}

// relativeAdvice is what an editor is told to do with a relative URL.
const relativeAdvice = "a mail has no page to resolve it against; write it whole, with https:// and the site's name"

// A body stored before the check still renders for sending: Render itself
// refuses nothing for a relative URL.
func TestRenderKeepsAStoredRelativeLink(t *testing.T) {
	html, _, err := campaigns.RenderFor("See [about](/about).", campaigns.SampleReader)
	if err != nil || !strings.Contains(html, `href="/about"`) {
		t.Errorf("RenderFor: %v\n%s", err, html)
	}
}

// A campaign stored before links were checked, with a relative one, is
// rescheduled, edited around, duplicated and sent as it is; a change of
// its body is checked.
func TestStoredRelativeLinkStillEditable(t *testing.T) {
	e := newEnv(t)
	e.addReaders(t, 1, e.addList(t, "news"))
	err := storedBeforeTheCheck(t, e, "See [about](/about).", "See [about](/about)\nand [more](/more).")
	if bulletin.ErrorFields(err)["body"] != `line 1: the link "/about" is not a full URL: `+relativeAdvice+"\n"+`line 2: the link "/more" is not a full URL` {
		t.Errorf("a changed body with relative links: %v, want it refused", err)
	}
}

// storedBeforeTheCheck gives a campaign to the list "news" the body old,
// as stored before a check that refuses it was made, and checks that the
// campaign is still rescheduled and retitled with that body untouched,
// duplicated and sent; it returns the error of changing the body to
// changed, which the caller judges.
func storedBeforeTheCheck(t *testing.T, e *env, old, changed string) error {
	t.Helper()
	ctx := context.Background()
	c := &campaigns.Campaign{Subject: "Hello", Body: "Hi", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE campaigns SET body = ? WHERE id = ?`, old, c.ID)
	at := time.Now().Add(48 * time.Hour)
	if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{SendAt: campaigns.OptionalTime{Set: true, Time: &at}}); err != nil {
		t.Errorf("reschedule, the body untouched: %v", err)
	}
	subject := "Hello again"
	if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{Subject: &subject}); err != nil {
		t.Errorf("a new subject, the body untouched: %v", err)
	}
	_, changeErr := e.svc.Update(ctx, c.ID, campaigns.Patch{Body: &changed})
	if _, err := e.svc.Duplicate(ctx, c.ID); err != nil {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Errorf("send: %v", err)
	}
	return changeErr
}

// A link whose whole URL is a personal field is refused in the author's
// words, not the markers the check sees.
func TestLinkThatIsOnlyAPersonalField(t *testing.T) {
	err := campaigns.CheckBody("Write to [yourself]({{ .Email }}).")
	want := `line 1: the link "{{ .Email }}" is not a full URL: a personal field may fill part of one`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("CheckBody: %v, want it to start %q", err, want)
	}
}
