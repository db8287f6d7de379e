package bounces

import (
	"regexp"
	"strings"

	"github.com/bulletinhq/bulletin/internal/events"
)

// An ndrForm is a bounce in one MTA's own words rather than a DSN: a
// signature that identifies it, the phrases of a mere delay warning, and
// where the failed recipient and the remote server's answer stand.
type ndrForm struct {
	name  string
	sign  *regexp.Regexp
	delay *regexp.Regexp
	rcpt  *regexp.Regexp // first group: the address
	diag  *regexp.Regexp // first group: the answer
}

// addr is an address as these forms write it, without brackets.
const addr = `([^\s<>()'"]+@[^\s<>()'"]+[^\s<>()'".,;:])`

// ndrForms are the forms read, tried in order. Each is table-tested on
// fixtures in testdata/ndr-*.eml.
var ndrForms = []ndrForm{
	{
		name:  "qmail",
		sign:  regexp.MustCompile(`(?i)this is the qmail-send program`),
		delay: regexp.MustCompile(`(?i)this is a temporary error|has not been delivered yet|still trying`),
		rcpt:  regexp.MustCompile(`(?m)^<` + addr + `>:\s*$`),
		diag:  regexp.MustCompile(`(?m)^<[^>\s]+>:\s*\n((?:[^\n]+\n?)+)`),
	},
	{
		name:  "postfix",
		sign:  regexp.MustCompile(`(?i)this is the mail system at host`),
		delay: regexp.MustCompile(`(?i)this is a warning only|delayed mail|will continue to try`),
		rcpt:  regexp.MustCompile(`(?m)^<` + addr + `>:\s`),
		diag:  regexp.MustCompile(`(?m)^<[^>\s]+>:\s*((?:[^\n]+\n?)+)`),
	},
	{
		name:  "exchange",
		sign:  regexp.MustCompile(`(?i)delivery has failed to these recipients or groups|remote server returned '|delivery is delayed to these recipients`),
		delay: regexp.MustCompile(`(?i)delivery is delayed to these recipients|will continue to try`),
		rcpt:  regexp.MustCompile(`(?is)recipients or groups:\s*(?:[^\n]*?\()?` + addr),
		diag:  regexp.MustCompile(`(?i)remote server returned '([^']+)'`),
	},
	{
		name:  "gmail",
		sign:  regexp.MustCompile(`(?i)delivery to the following recipients? (?:failed permanently|has been delayed)|your message wasn't delivered to \S+ because`),
		delay: regexp.MustCompile(`(?i)has been delayed|will retry for`),
		rcpt:  regexp.MustCompile(`(?i)(?:failed permanently:\s*|wasn't delivered to\s+)` + addr),
		diag:  regexp.MustCompile(`(?i)the response (?:from the remote server )?was:\s*\n\s*([^\n]+)`),
	},
}

// parseNDR reads text as one of ndrForms, reporting whether it is one.
// A form's delay warning is no event.
func parseNDR(r *Report, text string) bool {
	for _, f := range ndrForms {
		if !f.sign.MatchString(text) {
			continue
		}
		if f.delay.MatchString(text) {
			r.Reason = "a delay warning (" + f.name + "): the sending MTA still tries"
			return true
		}
		if m := f.rcpt.FindStringSubmatch(text); m != nil {
			r.Recipient = m[1]
		}
		if m := f.diag.FindStringSubmatch(text); m != nil {
			r.Diagnostic = strings.Join(strings.Fields(m[1]), " ")
		}
		r.Status = statusOf("", r.Diagnostic, true)
		r.Kind, r.Source = events.KindOf(r.Status), events.SourceNDR
		return true
	}
	return false
}
