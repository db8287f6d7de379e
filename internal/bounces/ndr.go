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
		// The remote server's answer, or Exchange's own: a line of
		// "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##".
		diag: regexp.MustCompile(`(?im)(?:remote server returned '|^\s*#)([^'\n]+)`),
	},
	{
		name:  "gmail",
		sign:  regexp.MustCompile(`(?i)delivery to the following recipients? (?:failed permanently|has been delayed)|your message wasn't delivered to \S+ because`),
		delay: regexp.MustCompile(`(?i)has been delayed|will retry for`),
		rcpt:  regexp.MustCompile(`(?i)(?:failed permanently:\s*|wasn't delivered to\s+)` + addr),
		diag:  regexp.MustCompile(`(?i)the response (?:from the remote server )?was:\s*\n\s*([^\n]+)`),
	},
	{
		// Exim's own bounce, when it sends no DSN: the failed address
		// indented under "The following address(es) failed:", and under
		// it, indented further, the remote host and its answer (the next
		// failed address, indented as the first, is not part of it). Its
		// warning of a message still queued begins the same way. The
		// signature must open the mail, as it opens Exim's: a reply
		// that quotes a bounce, or pastes one under its own words, is
		// none.
		name:  "exim",
		sign:  regexp.MustCompile(`(?i)\A\s*this message was created automatically by mail delivery software`),
		delay: regexp.MustCompile(`(?i)has not yet been delivered|delivery attempts will continue|this warning may be repeated`),
		rcpt:  regexp.MustCompile(`(?i)the following address\(es\) failed:[ \t]*\n(?:[ \t]*\n)*[ \t]+<?` + addr),
		diag:  regexp.MustCompile(`(?i)the following address\(es\) failed:[ \t]*\n(?:[ \t]*\n)*[ \t]+\S+@\S+[ \t]*\n((?:[ \t]{3,}\S[^\n]*\n?)+)`),
	},
	{
		// Yahoo's, in qmail's layout: the address in brackets on a line
		// of its own, then "Remote host said:" and the answer. Its
		// signature too must open the mail.
		name:  "yahoo",
		sign:  regexp.MustCompile(`(?i)\A\s*sorry, we were unable to deliver your message to the following address`),
		delay: regexp.MustCompile(`(?i)this is a temporary error|has not been delivered yet|still trying`),
		rcpt:  regexp.MustCompile(`(?m)^<` + addr + `>:\s*$`),
		diag:  regexp.MustCompile(`(?im)^remote host said:[ \t]*((?:[^\n]+\n?)+)`),
	},
}

// copyRE marks where a bounce's copy of the returned message begins
// (qmail's and Yahoo's "--- Below this line is a copy of the message.",
// Exim's "------ This is a copy of the message, ..."): the forms are read
// before it, so that the words of the newsletter sent back ("we will
// continue to try …") are never taken for the bounce's own.
var copyRE = regexp.MustCompile(`(?im)^-{3,}[ \t]*(?:below this line is a copy of the message|this is a copy of the message)`)

// parseNDR reads text as one of ndrForms, reporting whether it is one.
// A form's delay warning is no event, and neither is its phrase alone: a
// bounce gives the remote server's answer, or at least names the failed
// recipient, where an auto-reply that quotes a bounce, or says in its own
// words that "your message wasn't delivered to anyone because", does
// neither. Mail that is an automatic reply by its headers or subject
// (autoReplied) must give the answer: such a reply may well name its
// writer's address ("wasn't delivered to sam@example.org because I have
// left"), and a bounce's Auto-Submitted comes with the answer anyway.
func parseNDR(r *Report, text string, autoReplied bool) bool {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if loc := copyRE.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	for _, f := range ndrForms {
		if !f.sign.MatchString(text) {
			continue
		}
		if f.delay.MatchString(text) {
			r.Reason = "a delay warning (" + f.name + "): the sending MTA still tries"
			return true
		}
		var rcpt, diag string
		if m := f.rcpt.FindStringSubmatch(text); m != nil {
			rcpt = m[1]
		}
		if m := f.diag.FindStringSubmatch(text); m != nil {
			diag = strings.Join(strings.Fields(m[1]), " ")
		}
		if diag == "" && (rcpt == "" || autoReplied) {
			continue
		}
		r.Recipient, r.Diagnostic = rcpt, diag
		r.Status = statusOf("", r.Diagnostic, true)
		r.Kind, r.Source = events.KindOf(r.Status), events.SourceNDR
		return true
	}
	return false
}
