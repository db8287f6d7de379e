package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// camp37Server is campaignServer in one of serve's two ways to send:
// with smtp nil, to the outbox, which the admin pages know of (s.Outbox,
// as serve sets it); else over SMTP to smtp, with no outbox. It has the
// list "news" with one confirmed reader, and "empty" with none.
func camp37Server(t *testing.T, smtp *smtptest.Server) (*adminClient, *mailer.Outbox, *sqlite.DB, string) {
	t.Helper()
	var transport mailer.Transport
	if smtp != nil {
		transport = mailtest.SMTPTo(t, smtp.URL())
	}
	s, a, out, db, token := newCampaignServerVia(t, transport, smtp == nil)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "empty", Name: "Empty", Public: true}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	return a, out, db, token
}

// textOf is body's HTML with its tags out and its entities decoded, for
// checks of what a page says.
func textOf(body string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, ""))
}

// With no SMTP server set, the send page says before its button that the
// mail goes to the outbox (its folder, and a link to the Outbox page),
// not to readers, and that the campaign then counts as sent; the
// campaign's page, once sending, says where its messages went. Over SMTP
// the pages say none of it, and the button is as it was.
func TestCampaignSendSaysOutbox_camp37(t *testing.T) {
	for _, smtp := range []*smtptest.Server{nil, smtptest.Start(t)} {
		a, out, _, token := camp37Server(t, smtp)
		page, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"Hi","lists":["news"]}`)
		_, body := a.get(page + "/send")
		button := strings.Index(body, `<button type="submit">`)
		if button < 0 {
			t.Fatalf("no send button:\n%s", body)
		}
		before := textOf(body[:button])
		if smtp != nil {
			if strings.Contains(strings.ToLower(textOf(body)), "outbox") || !strings.Contains(body, "Send to 1 reader</button>") {
				t.Errorf("over SMTP the send page speaks of an outbox, or lost its button:\n%s", body)
			}
		} else {
			for _, want := range []string{"No reader gets this mail", "written to the outbox", out.Dir, "counts as sent"} {
				if !strings.Contains(before, want) {
					t.Errorf("the send page does not say %q before its button:\n%s", want, before)
				}
			}
			if !strings.Contains(body[:button], `<a href="/admin/outbox">Outbox</a>`) || !strings.Contains(body, "Write 1 message to the outbox</button>") {
				t.Errorf("the send page does not link the Outbox, or its button says it sends:\n%s", body)
			}
		}
		csrf := a.csrfOf(page)
		if resp := a.post(page+"/send", url.Values{"csrf": {csrf}, "confirm": {"1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed send = %d", resp.StatusCode)
		}
		_, body = a.get(page)
		if said := strings.Contains(body, `id="outbox-sent"`) && strings.Contains(textOf(body), "Written to the outbox, not mailed"); said != (smtp == nil) {
			t.Errorf("outbox %t: the sending campaign's page says it went to the outbox: %t\n%s", smtp == nil, said, progressCard(body))
		}
	}
}

// The test form's To field starts with the editor's own address and keeps
// the addresses a test went to; the banner says to whom it went, or that
// it was written to the outbox, with a link to it, and says so once. A
// body writing the reader's name says the test reads as the preview
// does, for Ada Reader.
func TestCampaignTestSendSaysWhere_camp37(t *testing.T) {
	srv := smtptest.Start(t)
	for _, smtp := range []*smtptest.Server{nil, srv} {
		a, out, _, token := camp37Server(t, smtp)
		page, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"Hello {{ .Name }},\n\nNews.","lists":["news"]}`)
		_, body := a.get(page)
		if !strings.Contains(body, `name="to" value="editor@example.com"`) {
			t.Errorf("the To field does not start with the editor's address:\n%s", body)
		}
		if !strings.Contains(body, `id="test-name"`) || !strings.Contains(textOf(body), "A test reads as the preview below does, for a reader named Ada Reader") {
			t.Errorf("the test form does not say a test reads as the preview does, for Ada Reader:\n%s", body)
		}
		resp := a.post(page+"/test", url.Values{"csrf": {a.csrfOf(page)}, "to": {"ed@example.com; fay@example.com"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || strings.Contains(loc, "example.com") {
			t.Fatalf("test send = %d to %q, want 303 to a URL without the addresses", resp.StatusCode, loc)
		}
		_, body = a.get(loc)
		flash := regexp.MustCompile(`<div class="flash"[^>]*>([^<]*)</div>`).FindStringSubmatch(body)
		if flash == nil {
			t.Fatalf("no banner after a test:\n%s", body)
		}
		if smtp == nil {
			if !strings.Contains(html.UnescapeString(flash[1]), "Test written to the outbox, not mailed") || !strings.Contains(flash[1], "ed@example.com, fay@example.com") {
				t.Errorf("outbox: the banner says %q", flash[1])
			}
			if !regexp.MustCompile(`id="tested"[^>]*>[^\n]*<a href="/admin/outbox">`).MatchString(body) {
				t.Errorf("outbox: no link to the outbox by the test form:\n%s", body)
			}
			if names, _ := out.List(0); len(names) != 2 {
				t.Errorf("outbox: %d mails written, want 2", len(names))
			}
		} else if flash[1] != "Test sent to ed@example.com, fay@example.com." {
			t.Errorf("SMTP: the banner says %q", flash[1])
		}
		if !strings.Contains(body, `name="to" value="ed@example.com, fay@example.com"`) {
			t.Errorf("the To field lost the addresses the test went to:\n%s", body)
		}
		if _, again := a.get(loc); strings.Contains(again, "fay@example.com") || !strings.Contains(again, `name="to" value="editor@example.com"`) {
			t.Errorf("the page asked again still names the test's addresses")
		}
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("the SMTP server got %d messages, want 2", n)
	}
}

// Every address at fault is named, and too many are counted against the
// limit; nothing is sent.
func TestCampaignTestSendNamesEveryBadAddress_camp37(t *testing.T) {
	a, out, _, token := camp37Server(t, nil)
	page, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"Hi","lists":["news"]}`)
	csrf := a.csrfOf(page)
	eleven := strings.Repeat("a@example.com, ", 10) + "b@example.com"
	for to, wants := range map[string][]string{
		"me@, you":                 {`"me@"`, `"you"`},
		"ok@example.com, x, y@":    {`"x"`, `"y@"`},
		eleven:                     {"from 1 to 10 addresses", "you gave 11"},
		"ok@example.com,, you ; z": {`"you"`, `"z"`},
	} {
		resp, body := a.postBody(page+"/test", url.Values{"csrf": {csrf}, "to": {to}})
		why := regexp.MustCompile(`<p class="error" id="to-error">([^<]*)</p>`).FindStringSubmatch(body)
		if resp.StatusCode != http.StatusUnprocessableEntity || why == nil {
			t.Errorf("test to %q = %d with no reason under the field", to, resp.StatusCode)
			continue
		}
		for _, want := range wants {
			if !strings.Contains(html.UnescapeString(why[1]), want) {
				t.Errorf("test to %q: the reason %q does not name %s", to, html.UnescapeString(why[1]), want)
			}
		}
		// A test send saves nothing anyway: its refusal says what did not happen.
		if !strings.Contains(body, `role="alert">Nothing was sent: fix the fields marked below.`) || strings.Contains(body, "Nothing was saved") {
			t.Errorf("test to %q: the summary does not say that nothing was sent:\n%s", to, body)
		}
	}
	if names, _ := out.List(0); len(names) != 0 {
		t.Errorf("%d test mails went out", len(names))
	}
}

// faultyBody holds five faults of three kinds: two fields no reader has,
// a relative link, and two elements mail cannot show, each named with its
// line.
const faultyBody = "Hello {{ .Nmae }},\n\n[About us](/about) and {{ .Emial }}\n\n<script>x()</script>\n\n<iframe src=\"https://x.example\"></iframe>\n"

// faultyBodyWants is what the refusal of faultyBody names, in the API;
// faultyBodyFormWants on the forms, where each fault is a sentence.
var (
	faultyBodyWants     = []string{"line 1: {{ .Nmae }} names no personal field", "line 3: {{ .Emial }} names no personal field", `line 3: the link "/about"`, "line 5: take out the <script>: ", "\nline 7: take out the <iframe>"}
	faultyBodyFormWants = []string{"Line 1: {{ .Nmae }} names no personal field", "Line 3: {{ .Emial }} names no personal field", `Line 3: the link "/about"`, "Line 5: take out the <script>: ", "Line 7: take out the <iframe>."}
)

// A body's faults are named all at once, in the order of their lines, on
// the new and the edit forms, each a sentence, and in the API's 422, whose
// shape and words stay.
func TestCampaignBodyFaultsAllAtOnce_camp37(t *testing.T) {
	a, _, _, token := camp37Server(t, nil)
	page, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"Hi","lists":["news"]}`)
	csrf := a.csrfOf(page)
	for _, path := range []string{"/admin/campaigns", page + "/edit"} {
		resp, body := a.postBody(path, url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Pier"}, "body": {faultyBody}, "lists": {"news"}})
		i := strings.Index(body, "</textarea>")
		if resp.StatusCode != http.StatusUnprocessableEntity || i < 0 {
			t.Fatalf("POST %s = %d", path, resp.StatusCode)
		}
		said := textOf(body[i:min(i+3000, len(body))])
		at := 0
		for _, want := range faultyBodyFormWants {
			j := strings.Index(said[at:], want)
			if j < 0 {
				t.Errorf("POST %s: the body's error does not say %q after what came before:\n%s", path, want, said[:min(len(said), 1500)])
				break
			}
			at += j
		}
	}
	code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Pier","body":`+jsonQuote(faultyBody)+`,"lists":["news"]}`)
	fields, _ := got["fields"].(map[string]any)
	why, _ := fields["body"].(string)
	if code != http.StatusUnprocessableEntity || got["error"] != "validation" || got["message"] == nil {
		t.Fatalf("API create = %d %v", code, got)
	}
	for _, want := range faultyBodyWants {
		if !strings.Contains(why, want) {
			t.Errorf("the API's fields.body %q does not say %q", why, want)
		}
	}
}

// jsonQuote is s as a JSON string.
func jsonQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
