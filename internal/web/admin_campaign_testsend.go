package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// maxTestAddresses is how many addresses one test goes to at most, as
// campaigns.Service.TestSend takes.
const maxTestAddresses = 10

// testAddresses splits the test form's To field: by commas, semicolons
// (as mail programs copy addresses) or white space.
func testAddresses(to string) []string {
	return strings.FieldsFunc(to, func(c rune) bool { return strings.ContainsRune(", ;\t\r\n", c) })
}

// checkTestAddresses refuses to, the addresses of a test send (the form's
// or the API's), naming every one at fault, or how many were given past
// the limit. TestSend checks
// them too, but stops at the first: an editor who typed "me@, you" was
// told of "me@" only, and of "you" on the next try.
func checkTestAddresses(to []string) error {
	switch {
	case len(to) == 0:
		return bulletin.Invalid(map[string]string{"to": fmt.Sprintf("give from 1 to %d addresses", maxTestAddresses)})
	case len(to) > maxTestAddresses:
		return bulletin.Invalid(map[string]string{"to": fmt.Sprintf("give from 1 to %d addresses: you gave %d", maxTestAddresses, len(to))})
	}
	var bad []string
	for _, a := range to {
		if _, why := subscribers.NormalizeEmail(a); why != "" {
			bad = append(bad, fmt.Sprintf("%q: %s", a, why))
		}
	}
	if len(bad) > 0 {
		return bulletin.Invalid(map[string]string{"to": strings.Join(bad, "; ")})
	}
	return nil
}

// A testSent is what the campaign page says after a test of campaign ID
// went: to whom, and whether to the outbox (no SMTP server set) rather
// than to them. To fills the To field again, for the next test.
type testSent struct {
	ID     int64
	To     []string
	Outbox bool
}

// banner is the flash of t: where the test went, in words the layout's
// banner shows as they are.
func (t *testSent) banner() string {
	if t.Outbox {
		return "Test written to the outbox, not mailed: no SMTP server is set, so " + strings.Join(t.To, ", ") + " got nothing. Read it on the Outbox page."
	}
	return "Test sent to " + strings.Join(t.To, ", ") + "."
}

// testsSent holds what a test send's page says between the form's
// redirect and its one view, by session: the addresses are the editor's
// own words, which a URL must not carry into the banner (flashes), nor
// into the server's logs and the browser's history.
var testsSent = &shownOnce[testSent]{}

// testSentURL is the campaign page to show after a test of id to to,
// with the handle of what its banner says (?tested=), which it shows
// once. Its flash, "Test sent.", stands in when the handle finds
// nothing: a serve restarted in between.
func (s *Server) testSentURL(r *http.Request, id int64, to []string) string {
	path := fmt.Sprintf("/admin/campaigns/%d", id)
	sess := sessionFrom(r.Context())
	if sess == nil {
		return path
	}
	handle := testsSent.put(sess.CSRF, testSent{ID: id, To: to, Outbox: s.Outbox != nil})
	return path + "?tested=" + handle
}

// fillTestForm fills the test form of a campaign page shown by GET: the
// test just sent, whose addresses stay in the To field, or else the
// editor's own address, the one a test most often goes to.
func fillTestForm(r *http.Request, p *campaignPage, id int64) {
	sess := sessionFrom(r.Context())
	if sess == nil {
		return
	}
	if h := r.URL.Query().Get("tested"); h != "" {
		if t, ok := testsSent.take(sess.CSRF, h); ok && t.ID == id {
			p.Tested, p.To = &t, strings.Join(t.To, ", ")
			return
		}
	}
	p.To = sess.Email
}

// testSendEach sends the test to each of to in turn, so that the page
// knows which got it: sent are those that did, left those that did not,
// with err, the refusals of the mail server (a validation error on "to",
// naming each with its answer) or the trouble that stopped the send (the
// addresses not tried are left too).
func (s *Server) testSendEach(ctx context.Context, id int64, to []string) (sent, left []string, err error) {
	var refused []string
	for i, a := range to {
		switch err := s.Campaigns.TestSend(ctx, id, []string{a}); {
		case err == nil:
			sent = append(sent, a)
		case bulletin.ErrorCode(err) == bulletin.EINVALID && bulletin.ErrorFields(err)["to"] != "":
			left, refused = append(left, a), append(refused, strings.TrimSuffix(bulletin.ErrorFields(err)["to"], "; check the address."))
		default:
			return sent, append(left, to[i:]...), err
		}
	}
	if len(refused) > 0 {
		return sent, left, bulletin.Invalid(map[string]string{"to": strings.Join(refused, "; ") + "; check the address."})
	}
	return sent, nil, nil
}

// partlyTested shows the campaign page after a test that went to some of
// its addresses, sent, and not to the others, left: the alert says both,
// and the To field keeps only those left, so that sending again once they
// are fixed does not mail the others a second time. It answers 422 as a
// refused test does, the field needing a fix, but never says that nothing
// was sent: err, the mail server's refusals or its trouble, is said under
// the field or in the alert.
func (s *Server) partlyTested(w http.ResponseWriter, r *http.Request, p *campaignPage, sent, left []string, err error) {
	p.To = strings.Join(left, ", ")
	went := "The test went to " + strings.Join(sent, ", ") + ". "
	status := http.StatusUnprocessableEntity
	if bulletin.ErrorCode(err) == bulletin.EINVALID {
		p.Errors = map[string]string{"to": bulletin.ErrorFields(err)["to"]}
		p.Error = went + "It was not sent to " + strings.Join(left, ", ") +
			": the mail server refused it, as said below. Fix the address and send again; only it will get the test."
	} else {
		p.Error = went + bulletin.ErrorMessage(err) + " Only the addresses left in the field will get it."
		status = statusOf[bulletin.ErrorCode(err)]
	}
	s.renderCampaignPage(w, r, status, p)
}
