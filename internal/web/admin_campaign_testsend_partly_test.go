package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A test that went to some of its addresses and was refused for others
// says so: which got it, which did not with the mail server's answer, and
// the To field keeps only the refused, so that sending again once fixed
// does not mail the others twice. It said "Nothing was sent" and kept
// every address.
func TestCampaignTestSendPartlySentSaysWhatWent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectDomain: "gone.example"}))
	a, _, _, token := camp37Server(t, srv)
	page, _ := createCampaign(t, a, token, `{"subject":"Pier","lists":["news"],"body":"Hello."}`)
	resp, raw := a.postBody(page+"/test", url.Values{"csrf": {a.csrfOf(page)}, "to": {"ok@harbour.example, bounce@gone.example"}})
	body := html.UnescapeString(raw)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("partly sent test = %d, want 422", resp.StatusCode)
	}
	if strings.Contains(body, "Nothing was sent") {
		t.Errorf("the page says nothing was sent, but ok@harbour.example got it:\n%s", body)
	}
	for _, want := range []string{"The test went to ok@harbour.example.", "It was not sent to bounce@gone.example",
		`"bounce@gone.example": the mail server refused it (550`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	field := regexp.MustCompile(`<(?:input|textarea)[^>]*name="to"[^>]*>([^<]*)`).FindStringSubmatch(body)
	if field == nil || strings.Contains(field[0]+field[1], "ok@harbour.example") || !strings.Contains(field[0]+field[1], "bounce@gone.example") {
		t.Errorf("the To field = %q, want bounce@gone.example alone", field)
	}
	if n := srv.Count("ok@harbour.example"); n != 1 {
		t.Errorf("ok@harbour.example got %d tests, want 1", n)
	}
}
