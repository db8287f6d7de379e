package campaigns_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// preheaderSlot is the hidden preheader of the campaign mail's HTML part,
// without the run that pads it (padStart).
var preheaderSlot = regexp.MustCompile(`mso-hide:all;">([^<]*?)(?:&#847;&zwnj;&nbsp;)*</div>`)

// Without a preheader of its own, a campaign's inbox line is the start of
// its text, after its greeting. The admin form starts every body with
// Hello {{ .Name | default "reader" }}: the inbox line leaves that out,
// and a reader with a name must read their name in the rest of it as in
// the mail, not the fallback's "reader".
func TestDerivedPreheaderGreetsNamedReaderByName(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Ferries", Lists: []string{"harbour"},
		Body: "Hello {{ .Name | default \"reader\" }},\n\nThe ferry runs again from Monday, {{ .Name | default \"reader\" }}."})
	pm := mailtest.Parse(t, e.send(t))
	m := preheaderSlot.FindStringSubmatch(strings.ReplaceAll(pm.HTML, "\n", ""))
	if m == nil {
		t.Fatalf("no preheader slot in the HTML part:\n%s", pm.HTML)
	}
	if !strings.Contains(pm.HTML, "Hello Zoë O&#39;Hara") {
		t.Fatalf("the body does not greet the reader by name:\n%s", pm.HTML)
	}
	if want := "The ferry runs again from Monday, Zoë O&#39;Hara."; m[1] != want {
		t.Errorf("preheader for Zoë O'Hara = %q, want %q: the greeting left out, the reader's name, not the fallback", m[1], want)
	}
}

// A derived preheader cut within its 120 characters keeps a fallback
// whole or leaves it out: cut between its markers, a message would drop
// the rest of the mail as the side of the fallback that is not the
// reader's.
func TestDerivedPreheaderCutKeepsFallbackWhole(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	lead := strings.Repeat("ferry ", 18) // 108 columns, the fallback across the cut
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Ferries", Lists: []string{"harbour"},
		Body: lead + "{{ .Name | default \"dear reader of the harbour\" }} more\n\nThe ferry runs again from Monday."})
	pm := mailtest.Parse(t, e.send(t))
	m := preheaderSlot.FindStringSubmatch(strings.ReplaceAll(pm.HTML, "\n", ""))
	if m == nil {
		t.Fatalf("no preheader slot in the HTML part:\n%s", pm.HTML)
	}
	if want := strings.TrimSpace(lead) + "…"; m[1] != want {
		t.Errorf("preheader = %q, want %q", m[1], want)
	}
	if !strings.Contains(pm.HTML, "runs again from Monday") || !strings.Contains(pm.Text, "runs again from Monday") {
		t.Errorf("the mail lost its text after the preheader:\n%s", pm.HTML)
	}
}

// A campaign whose lists have no confirmed reader is refused by Send
// (422, "would reach nobody"). Scheduled, its start refuses it too: it is
// not sent, nor in the public archive, but a draft again with its
// content, and the log says why.
func TestScheduledCampaignToNobodyIsNotSent(t *testing.T) {
	e := newEnv(t)
	var logged bytes.Buffer
	e.svc.Log = slog.New(slog.NewTextHandler(&logged, nil))
	ctx := context.Background()
	e.exec(t, `INSERT INTO lists (slug, name, public, created_at) VALUES ('quiet', 'Quiet', 1, ?)`, time.Now())
	at := time.Now().Add(time.Minute)
	c := &campaigns.Campaign{Subject: "Nobody reads this", Body: "Hello", Lists: []string{"quiet"}, SendAt: &at}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("Send of a campaign to nobody = %v, want the 422 of a campaign that would reach nobody", err)
	}
	campaigns.SetClock(e.svc.Store, func() time.Time { return at })
	e.fanout(t) // the start task, at its send time
	got, err := e.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	issues, _, err := e.svc.Archive(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status == campaigns.StatusSent || got.Status == campaigns.StatusSending || len(issues) > 0 {
		t.Errorf("scheduled campaign to nobody: status %s, %d of %d sent, %d issue(s) in the public archive; want it not sent, as Send refuses it",
			got.Status, got.Stats.Sent, got.Stats.Total, len(issues))
	}
	if got.Status != campaigns.StatusDraft || got.SendAt != nil || got.Subject != c.Subject || got.Body != c.Body ||
		len(got.Lists) != 1 || got.Lists[0] != "quiet" {
		t.Errorf("after its start: %s, send_at %v, %q, %q, lists %v; want the draft as it was, without a send time",
			got.Status, got.SendAt, got.Subject, got.Body, got.Lists)
	}
	if l := logged.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "reach nobody") ||
		!strings.Contains(l, "campaign="+strconv.FormatInt(c.ID, 10)) {
		t.Errorf("log = %q, want a warning naming campaign %d and why it was not sent", l, c.ID)
	}
}

// The text part underlines a heading with as many = as the heading has
// characters: a heading with a personal field as many as the reader
// reads, not the length of the field's markers.
func TestTextHeadingUnderlineWithPersonalField(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Ferries", Lists: []string{"harbour"},
		Body: "# Hello {{ .Name | default \"reader\" }}\n\nThe ferry runs again from Monday."})
	pm := mailtest.Parse(t, e.send(t))
	lines := strings.Split(strings.ReplaceAll(pm.Text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		if l == "Hello Zoë O'Hara" && i+1 < len(lines) {
			if u := lines[i+1]; len(u) != len([]rune(l)) || strings.Trim(u, "=") != "" {
				t.Errorf("heading %q is underlined with %d '=', want %d:\n%s\n%s", l, len(u), len([]rune(l)), l, u)
			}
			return
		}
	}
	t.Fatalf("text part has no heading line \"Hello Zoë O'Hara\":\n%s", pm.Text)
}

// Outside a message (the archive, previews) the rule under a heading with
// a personal field is as long as the heading the reader reads too: with
// a name or the fallback, under a heading of either level.
func TestTextHeadingUnderlineFilledOutsideMessage(t *testing.T) {
	body := "# Hello {{ .Name | default \"reader\" }}\n\n## For {{ .Email }}\n\nThe ferry runs again from Monday."
	for _, p := range []mailer.Personal{{Name: "Zoë O'Hara", Email: "zoe@example.org"}, {Email: "z@example.org"}} {
		_, text, err := campaigns.RenderFor(body, p)
		if err != nil {
			t.Fatal(err)
		}
		name := p.Name
		if name == "" {
			name = "reader"
		}
		h1, h2 := "Hello "+name, "For "+p.Email
		want := h1 + "\n" + strings.Repeat("=", len([]rune(h1))) + "\n\n" + h2 + "\n" + strings.Repeat("-", len([]rune(h2))) + "\n\n"
		if !strings.HasPrefix(text, want) {
			t.Errorf("text for %q =\n%s\nwant it to start\n%s", p.Name, text, want)
		}
	}
}
