package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// embedAdvice is what a body with a script or an embed is told to do.
const embedAdvice = "mail cannot run scripts or embeds: link to the page instead"

// A body holding an element whose text is no reader's (a script, a style
// sheet) or that does nothing in mail (an embed, a form) is refused when
// a campaign or a welcome text is saved, naming each such element with
// its line, one a line, and what to do instead, once for each kind. Markdown rendered the text between the tags as
// prose: "alert(1)" in every mail. A tag as text, in code, and a comment
// are not refused, nor is the other raw HTML Markdown leaves out keeping
// its text (<b>).
func TestSaveRefusesAScriptOrAnEmbed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addList(t, "news")
	for _, tc := range []struct{ body, why string }{
		{"Hello.\n\nA line with <b>raw html</b> and <script>alert(1)</script>.", "line 3: take out the <script>: " + embedAdvice},
		{"Hello.\n\n<script>\nalert(1)\n</script>", "line 3: take out the <script>: " + embedAdvice},
		{"Watch:\n\n<iframe width=\"560\" src=\"https://www.youtube.com/embed/x\"></iframe>", "line 3: take out the <iframe>: " + embedAdvice},
		{"<blockquote class=\"twitter-tweet\"><p>The bridge is open!</p></blockquote> <script async src=\"https://platform.twitter.com/widgets.js\"></script>",
			"line 1: take out the <script>: " + embedAdvice},
		{"Hi <SCRIPT>a()</SCRIPT> and\n<video src=\"https://x.example/v.mp4\">no video</video>", "line 1: take out the <script>: " + embedAdvice + "\nline 2: take out the <video>"},
		{"Big news <style>p { color: red }</style> today.", "line 1: take out the <style>: a mail takes no style sheet from its body"},
		{"Sign up: <form action=\"https://x.example\"><input name=\"e\"><button>Go</button></form>", "line 1: take out the <form>: mail cannot hold a form: link to the form's page instead\nline 1: take out the <input>\nline 1: take out the <button>"},
		{"<style>p { color: red }</style>\n\n<div>\n<!-- a <script>\ncomment -->\n<p>Go</p><iframe src=\"https://x.example\"></iframe>\n</div>\n\n<form>",
			"line 1: take out the <style>: a mail takes no style sheet from its body: write it in Markdown, and the mail's template gives it its look\n" +
				"line 6: take out the <iframe>: " + embedAdvice + "\nline 9: take out the <form>: mail cannot hold a form: link to the form's page instead"},
		{"Show `<script>x()</script>` in code.\n\n```\n<script>x()</script>\n```\n\n<b>Bold</b> <!-- <script> --> and &lt;script&gt;.", ""},
	} {
		err := e.svc.Schedule(ctx, &campaigns.Campaign{Subject: "Ferries", Body: tc.body, Lists: []string{"news"}})
		got := bulletin.ErrorFields(err)["body"]
		welcome := campaigns.CheckBody(tc.body)
		if tc.why == "" {
			if err != nil || welcome != nil {
				t.Errorf("%q: refused (%v; welcome %v), want it saved", tc.body, err, welcome)
			}
			continue
		}
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.HasPrefix(got, tc.why) {
			t.Errorf("%q: campaign saved with %v (body %q), want a validation error starting %q", tc.body, err, got, tc.why)
		}
		if welcome == nil || !strings.HasPrefix(welcome.Error(), tc.why) {
			t.Errorf("%q: welcome text check %v, want %q", tc.body, welcome, tc.why)
		}
	}
}

// scriptBody is a body an older Bulletin saved: a script among the text.
const scriptBody = "Hello {{ .Name | default \"reader\" }},\n\nThe bridge reopens <script>alert(1)</script> on Monday.\n\n" +
	"<iframe src=\"https://video.example/embed\">Your mail cannot show videos</iframe>\n\nSee you."

// A campaign saved with a script before saving refused one still opens,
// and is refused when it is saved again, body changed or not, until the
// element goes; a copy of it is made as it is, to be fixed in turn. Sent
// (and test-sent, and in the archive) it goes without each such element,
// its text too, in both parts: "alert(1)" is read nowhere. A welcome text
// saved so does not stop its list's other changes, and sends the same.
func TestCampaignSavedWithAScriptOpensSendsWithoutItAndIsToldOnSave(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	srv := smtptest.Start(t)
	list := e.addList(t, "news")
	e.addSubscriber(t, "ada@example.com", "confirmed", list)
	c := &campaigns.Campaign{Subject: "Bridge", Body: "Hello.", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE campaigns SET body = ? WHERE id = ?`, scriptBody, c.ID)

	got, err := e.svc.Get(ctx, c.ID)
	if err != nil || got.Body != scriptBody {
		t.Fatalf("open the stored campaign: %v, body %q", err, got.Body)
	}
	subject := "Bridge news"
	_, err = e.svc.Update(ctx, c.ID, campaigns.Patch{Subject: &subject})
	if why := bulletin.ErrorFields(err)["body"]; why != "line 3: take out the <script>: "+embedAdvice+"\nline 5: take out the <iframe>" {
		t.Errorf("save with the stored body unchanged: %v (body %q), want the script named", err, why)
	}
	dup, err := e.svc.Duplicate(ctx, c.ID)
	if err != nil || dup.Body != scriptBody {
		t.Errorf("duplicate: %v, want a copy of the body as stored", err)
	}

	html, text, err := campaigns.RenderFor(scriptBody, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{html, text} {
		if strings.Contains(part, "alert(1)") || strings.Contains(part, "cannot show videos") || !strings.Contains(part, "on Monday.") {
			t.Errorf("rendered for the archive and previews:\n%s\nwant the script's and the frame's text gone, the rest kept", part)
		}
	}

	e.svc.Transport = mailtest.SMTPTo(t, srv.URL())
	if err := e.svc.TestSend(ctx, c.ID, []string{"editor@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatalf("send the stored campaign: %v", err)
	}
	e.deliverQueued(t, srv)
	if len(srv.Messages()) != 2 {
		t.Fatalf("%d mails, want the test send and Ada's", len(srv.Messages()))
	}
	for _, m := range srv.Messages() {
		pm := mailtest.Parse(t, m.Data)
		for _, part := range []string{pm.Text, pm.HTML} {
			if strings.Contains(part, "alert(1)") || strings.Contains(part, "cannot show videos") || !strings.Contains(part, "The bridge reopens") {
				t.Errorf("mail to %s prints what the script or the frame held:\n%s", m.To[0], part)
			}
		}
	}

	if err := campaigns.CheckBody(scriptBody); !subscribers.IsNewTextOnly(err) {
		t.Errorf("welcome text check of a stored text %v: want one that refuses a new text only, so its list saves", err)
	}
}
