package web

import (
	"context"
	"strings"
	"testing"
)

// The outbox page shows the text and HTML of any mail put there, not only
// of a multipart/alternative one: a mail of one text part showed an empty
// "HTML part" frame and no text; one with attachments (the alternative
// within a multipart/mixed) showed neither; a base64 part showed as base64.
func TestOutboxShowsEveryKindOfMail(t *testing.T) {
	out, a := newOutboxAdmin(t)
	const head = "From: news@example.com\r\nTo: reader@example.com\r\nMIME-Version: 1.0\r\n"
	for _, tc := range []struct {
		name, msg      string
		text, html     string // what the page must show, "" for no such part
		notText, notIn string
	}{{
		name: "one text part, quoted-printable",
		msg: head + "Subject: Plain\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"The caf=C3=A9 opens at nine.\r\n",
		text: "The café opens at nine.",
	}, {
		name: "no Content-Type at all",
		msg:  head + "Subject: Bare\r\n\r\nJust a line.\r\n",
		text: "Just a line.",
	}, {
		name: "one HTML part",
		msg:  head + "Subject: Html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Only <b>markup</b> here.</p>\r\n",
		html: "Only &lt;b&gt;markup&lt;/b&gt; here.",
	}, {
		name: "an alternative within a mixed message, base64",
		msg: head + "Subject: Mixed\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n" +
			"Content-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			"VGhlIGhhcmJvdXIg\r\naXMgYnVzeSB0b2RheS4=\r\n--inner\r\n" +
			"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			"PHA+VGhlIGhhcmJvdXIgaXMgPGk+YnVzeTwvaT4uPC9wPg==\r\n--inner--\r\n--outer\r\n" +
			"Content-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nAttached notes.\r\n--outer--\r\n",
		text:    "The harbour is busy today.",
		html:    "The harbour is &lt;i&gt;busy&lt;/i&gt;.",
		notText: "Attached notes.",
	}, {
		name: "HTML and a text file attached",
		msg: head + "Subject: Attached\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: text/html; charset=utf-8\r\n\r\n<p>See the file.</p>\r\n--b\r\n" +
			"Content-Type: text/plain\r\nContent-Disposition: Attachment; filename=\"notes.txt\"\r\n\r\nAttached notes.\r\n--b--\r\n",
		html:    "See the file.",
		notText: "Attached notes.",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := out.List(0)
			if err := out.Send(context.Background(), "news@example.com", []string{"reader@example.com"}, []byte(tc.msg)); err != nil {
				t.Fatal(err)
			}
			a.login("correct horse battery")
			names, err := out.List(0)
			if err != nil || len(names) != len(before)+1 {
				t.Fatalf("outbox = %v, %v", names, err)
			}
			_, page := a.get("/admin/outbox/" + names[0])
			// The raw message is on the page too: look at the parts' sections.
			parts := page[:strings.Index(page, "<h2>Raw</h2>")]
			if got := strings.Contains(parts, "<h2>Text part</h2>"); got != (tc.text != "") {
				t.Errorf("text part shown: %v, want %v", got, tc.text != "")
			}
			if tc.text != "" && !strings.Contains(parts, tc.text) {
				t.Errorf("text part lacks %q:\n%s", tc.text, parts)
			}
			if got := strings.Contains(parts, "<h2>HTML part</h2>"); got != (tc.html != "") {
				t.Errorf("HTML part shown: %v, want %v", got, tc.html != "")
			}
			if tc.html != "" && !strings.Contains(parts, tc.html) {
				t.Errorf("HTML part lacks %q:\n%s", tc.html, parts)
			}
			if tc.notText != "" && strings.Contains(parts, tc.notText) {
				t.Errorf("an attachment, %q, is shown as the mail's text", tc.notText)
			}
		})
	}
}
