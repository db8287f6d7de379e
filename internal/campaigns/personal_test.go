package campaigns_test

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A {{ that is not a personal field, or is not closed on its line, is a
// validation error on the body that names its line; the well-formed ones,
// fallbacks included, pass.
func TestFieldErrorsNameTheLine(t *testing.T) {
	e := newEnv(t)
	e.addList(t, "news")
	for _, tc := range []struct{ body, want string }{
		{"Hello {{ .Nmae }},\n\nhi", `line 1: {{ .Nmae }} names no personal field`},
		{"Hello,\n\nDear {{ .Name\n\nBye", `line 3: "{{ .Name" is not closed`},
		{"a\nb\nc\n{{ .Name | default reader }}", `line 4: {{ .Name | default reader }} has a fallback Bulletin cannot read`},
		{"a\n\n{{ .Name | upper }}", `line 3: {{ .Name | upper }} is not a personal field`},
		{"a\n{{ range . }}", `line 2: {{ range . }} is not a personal field`},
		{"[me](https://x.example/?n={{ .Name | default \"you\" }})", `fallback in a link's URL`},
		{"{{ .Name | default \"" + strings.Repeat("x", 101) + "\" }}", `fallback over 100 characters`},
	} {
		for _, patch := range []bool{false, true} {
			c := &campaigns.Campaign{Subject: "Hi", Body: tc.body, Lists: []string{"news"}}
			var err error
			if patch {
				d := e.create(t, "news")
				_, err = e.svc.Update(context.Background(), d, campaigns.Patch{Body: &tc.body})
			} else {
				err = e.svc.Schedule(context.Background(), c)
			}
			var be *bulletin.Error
			if !errors.As(err, &be) || be.Code != bulletin.EINVALID || !strings.Contains(be.Fields["body"], tc.want) {
				t.Errorf("%q (patch %t): err = %v (%v), want fields.body with %q", tc.body, patch, err, bulletin.ErrorFields(err), tc.want)
			}
		}
	}
	for _, body := range []string{"{{ .Name }} {{.Email}}", `Dear {{ .Name | default "reader" }},`, `{{.Name|default ""}}`, `{{ .Email | default "x" }}`} {
		if err := e.svc.Schedule(context.Background(), &campaigns.Campaign{Subject: "Hi", Body: body, Lists: []string{"news"}}); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
	if err := e.svc.Schedule(context.Background(), &campaigns.Campaign{Subject: `Hi {{ .Name | default "you" }}`, Body: "b", Lists: []string{"news"}}); bulletin.ErrorFields(err)["subject"] == "" {
		t.Errorf("a fallback in the subject: %v, want it refused", err)
	}
}

// {{ .Name | default "…" }} is the reader's name for a reader with one
// and the fallback, as written, for a reader without, in both parts of
// the mail as sent.
func TestDefaultFallback(t *testing.T) {
	body := "Dear {{ .Name | default \"*dear* reader & friend, <b>you</b>\" }}, and **{{ .Name | default \"you\" }}**!\n\n" +
		"A long line to make the fallback fall across the end of an encoded line " + strings.Repeat("word ", 12) +
		"{{ .Name | default \"" + strings.Repeat("é", 60) + "\" }} end.\n"
	for _, tc := range []struct {
		name       string
		text, html []string
	}{
		{"Zoë O'Hara", []string{"Dear Zoë O'Hara, and Zoë O'Hara!", "word Zoë O'Hara end."},
			[]string{"Dear Zoë O&#39;Hara, and <strong>Zoë O&#39;Hara</strong>!", "word Zoë O&#39;Hara end."}},
		{"", []string{"Dear *dear* reader & friend, <b>you</b>, and you!", strings.Repeat("é", 60) + " end."},
			[]string{"Dear *dear* reader &amp; friend, &lt;b&gt;you&lt;/b&gt;, and <strong>you</strong>!", strings.Repeat("é", 60) + " end."}},
	} {
		e := newGoldenEnv(t, "harbour", "Harbour", "off")
		e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, tc.name, e.reader)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Hello", Lists: []string{"harbour"}, Body: body})
		pm := mailtest.Parse(t, e.send(t))
		text := strings.Join(strings.Fields(pm.Text), " ")
		for _, want := range tc.text {
			if !strings.Contains(text, want) {
				t.Errorf("name %q: text part lacks %q:\n%s", tc.name, want, pm.Text)
			}
		}
		html := strings.Join(strings.Fields(pm.HTML), " ")
		for _, want := range tc.html {
			if !strings.Contains(html, want) {
				t.Errorf("name %q: HTML part lacks %q:\n%s", tc.name, want, pm.HTML)
			}
		}
		if strings.Contains(pm.HTML+pm.Text, "BLTN") {
			t.Errorf("name %q: a marker is left in the mail", tc.name)
		}
	}
}

// The preheader goes into the mail's hidden preheader slot, escaped; a
// preheader with a line break or markup tricks is refused or inert.
func TestPreheaderInTheMail(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Hello", Preheader: ` Ferries & <b>gulls</b> "this" week `, Lists: []string{"harbour"}, Body: "Body text first."})
	pm := mailtest.Parse(t, e.send(t))
	want := `mso-hide:all;">Ferries &amp; &lt;b&gt;gulls&lt;/b&gt; &#34;this&#34; week` + padStart
	if !strings.Contains(strings.ReplaceAll(pm.HTML, "\n", ""), want) {
		t.Errorf("HTML part lacks the preheader slot %q:\n%s", want, pm.HTML)
	}
	for _, pre := range []string{"two\nlines", strings.Repeat("x", 151), "Hi {{ .Name }}"} {
		err := e.svc.Schedule(context.Background(), &campaigns.Campaign{Subject: "S", Preheader: pre, Body: "b", Lists: []string{"harbour"}})
		if bulletin.ErrorFields(err)["preheader"] == "" {
			t.Errorf("preheader %q: %v, want a validation error on preheader", pre, err)
		}
	}
}

// The preview is the mail: the HTML part a reader gets, made by the same
// code for the same reader.
func TestPreviewIsTheMail(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	c := &campaigns.Campaign{Subject: "Hello", Preheader: "Soon", Lists: []string{"harbour"},
		Body: "Hi {{ .Name | default \"you\" }}, [page](https://x.example/?e={{ .Email }})\n\n## News\n\nMore."}
	e.sendCampaign(t, c)
	pm := mailtest.Parse(t, e.send(t))
	reader := campaigns.SampleReader
	reader.Name, reader.Email = goldenReader.Name, goldenReader.Address
	reader.Unsubscribe = e.signer.SignList(e.reader, e.list)
	reader.Preferences = e.signer.Sign(subscribers.TokenPreferences, e.reader, 0)
	ctx := context.Background()
	got, err := e.svc.PreviewMail(ctx, c.ID, reader)
	if err != nil {
		t.Fatal(err)
	}
	if got != pm.HTML {
		t.Errorf("preview differs from the mail's HTML part:\npreview:\n%s\nmail:\n%s", got, pm.HTML)
	}
	draft, err := e.svc.PreviewDraft(ctx, c, reader)
	if err != nil || draft != unbuilt(pm.HTML, c.ID) {
		t.Errorf("preview of the unsaved campaign differs from the mail's HTML part (%v):\n%s", err, draft)
	}
	if _, err := e.svc.PreviewDraft(ctx, &campaigns.Campaign{Body: "{{ .Nmae }}"}, reader); bulletin.ErrorFields(err)["body"] == "" {
		t.Errorf("preview of a bad body: %v, want a validation error", err)
	}
}

// A fallback at the start of a line keeps the text part's lines as written
// and the body once.
func TestDefaultFallbackKeepsTheLines(t *testing.T) {
	body := "Hello {{ .Name | default \"neighbour\" }},\r\n\r\nThe harbour office keeps winter hours from Monday."
	for _, name := range []string{"Inès", ""} {
		e := newGoldenEnv(t, "harbour", "Harbour", "off")
		e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, name, e.reader)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Hello", Lists: []string{"harbour"}, Body: body})
		pm := mailtest.Parse(t, e.send(t))
		want := "Hello " + cmp.Or(name, "neighbour") + ",\n\nThe harbour office keeps winter hours from Monday.\n"
		if !strings.HasPrefix(strings.ReplaceAll(pm.Text, "\r\n", "\n"), want) || strings.Count(pm.Text, "Hello") != 1 {
			t.Errorf("name %q: text part\n%q\nwant it to start with\n%q", name, pm.Text, want)
		}
	}
}

// {{ "{{" }} writes two literal braces, so a campaign can show template
// syntax; in a code span or block too, and next to personal fields. In
// the mail as sent, both parts carry the braces and the fields are filled.
func TestLiteralBraces(t *testing.T) {
	body := "Write `{{ \"{{\" }} .Name }}` to greet {{ .Name }} by name.\n\n" +
		"```\n{{\"{{\"}} if .Paid }}thanks{{\"{{\"}} end }}\n```\n"
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, "Zoë", e.reader)
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Templates", Lists: []string{"harbour"}, Body: body})
	pm := mailtest.Parse(t, e.send(t))
	for part, got := range map[string]string{"text": pm.Text, "HTML": pm.HTML} {
		for _, want := range []string{"{{ .Name }}", "to greet Zoë by name", "{{ if .Paid }}thanks{{ end }}"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s part lacks %q:\n%s", part, want, got)
			}
		}
		if strings.Contains(got, `"{{"`) {
			t.Errorf("%s part shows the escape itself:\n%s", part, got)
		}
	}
}
