package subscribers

import (
	"strings"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/mailer"
)

// The sentences of the confirmation's and the already-subscribed mail's
// text parts that hold names are wrapped here, as prose at
// mailer.TextWidth, since a name may be of any length: a template's own
// line breaks around them put each name on a line of its own, so that
// the text read choppily even where the sentence fitted. A name is not
// broken across lines (mailer.WrapProse). The reader's address stays on a
// line of its own after them, in the templates: the confirmation is
// rendered once around a marker in its place (confirmRenderer), and an
// address may be longer than a line.

// TextAsk is the confirmation's request, for the text part: "Please
// confirm that you want to receive mail from Harbour Times (Weekend
// Culture) at this address:", wrapped.
func (m ConfirmMail) TextAsk() string {
	return mailer.WrapProse("Please confirm that you want to receive mail from "+m.Publisher+inBrackets(m.Lists)+
		" at this address:", mailer.TextWidth, names(m.Publisher, m.Lists)...)
}

// TextKeeps is the confirmation's last words to a Confirmed reader, for
// the text part: ignoring it changes nothing, and they keep the lists
// they are on (Keeps), wrapped.
func (m ConfirmMail) TextKeeps() string {
	s := "The link works for 7 days. If you did not ask for this, ignore this mail: nothing changes"
	if len(m.Keeps) > 0 {
		s += ", and you keep getting " + prose.And(m.Keeps)
	}
	return mailer.WrapProse(s+".", mailer.TextWidth, names("", m.Keeps)...)
}

// TextKnown says, for the already-subscribed mail's text part, which
// lists of the publisher the reader's address is on, or that it is on
// none, before the address, wrapped.
func (m AlreadyMail) TextKnown() string {
	s := "You are already subscribed to " + m.Publisher + inBrackets(m.Lists) + " at this address:"
	if len(m.Lists) == 0 {
		s = "This address is already known to " + m.Publisher + ", though it is on no list at the moment:"
	}
	return mailer.WrapProse(s, mailer.TextWidth, names(m.Publisher, m.Lists)...)
}

// inBrackets is the names of lists in brackets after a space, as the
// mails name them after the publisher: " (Daily News, Weekend Culture)",
// or "" for none.
func inBrackets(lists []string) string {
	if len(lists) == 0 {
		return ""
	}
	return " (" + strings.Join(lists, ", ") + ")"
}

// names are the publisher's and the lists' names, which the wrapping
// keeps whole.
func names(publisher string, lists []string) []string {
	return append([]string{publisher}, lists...)
}
