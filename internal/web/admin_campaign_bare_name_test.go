package web

import (
	"strings"
	"testing"
)

// The campaign page says when its body writes a reader's name with no
// fallback: the preview's sample reader has a name, so "Hi ," for readers
// without one showed only in a real mail.
func TestCampaignPageWarnsOfANameWithoutFallback(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	for _, tt := range []struct {
		body string
		warn bool
	}{
		{`Hi {{ .Name }}, welcome.`, true},
		{`Hi {{ .Name | default \"there\" }}, welcome.`, false},
		{`Your address is {{ .Email }}.`, false},
	} {
		page, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"`+tt.body+`","lists":["news"]}`)
		_, body := a.get(page)
		if got := strings.Contains(body, "Readers without a name get nothing where"); got != tt.warn {
			t.Errorf("body %s: warned %v, want %v", tt.body, got, tt.warn)
		}
	}
}
