package bounces_test

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
)

// mail joins header and body lines into a message with CRLF line ends.
func mail(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// An automatic reply is no bounce, whatever it says. One that quotes a
// bounce's phrase, or writes in its own words that a message "wasn't
// delivered to" someone, names no remote server's answer: it is read as
// the auto-reply it is, not as a hard bounce of status 5.0.0 that would
// cut the reader off at once. Replies in other languages are told apart
// by their subjects too.
func TestAutoReplyIsNoBounceWhateverItSays(t *testing.T) {
	cases := []struct {
		name, reason string
		raw          []byte
	}{
		{"quotes a Postfix bounce", "auto-reply (Auto-Submitted: auto-replied)", mail(
			"From: Isla Grant <isla@firth.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Re: This week in the harbour",
			"Auto-Submitted: auto-replied",
			"",
			"I am walking the coast path until Monday and reading no mail.",
			"",
			"> This is the mail system at host relay.harbour.test.",
			"> (quoted from an earlier thread)")},
		{"names its writer, subject only", "auto-reply (subject)", mail(
			"From: Sam Reyes <sam@firth.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Automatic reply: This week in the harbour",
			"",
			"Your message wasn't delivered to sam@firth.test because I have left the firm.",
			"Please write to the front desk instead.")},
		{"says it in its own words", "neither a bounce nor a complaint Bulletin can read", mail(
			"From: Front Desk <desk@firth.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: This mailbox is closed",
			"",
			"Your message wasn't delivered to anyone because this mailbox is no longer read.")},
		{"German Outlook", "auto-reply (subject)", mail(
			"From: Jonas Weber <jonas@hafen.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Automatische Antwort: This week in the harbour",
			"",
			"Ich bin bis zum 4. Januar nicht im Büro.")},
		{"French", "auto-reply (subject)", mail(
			"From: Léa Martin <lea@port.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: =?UTF-8?Q?Absente_du_bureau_:_This_week?=",
			"",
			"Je serai de retour le 4 janvier.")},
		{"Portuguese", "auto-reply (subject)", mail(
			"From: Rui <rui@porto.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: =?UTF-8?Q?Resposta_autom=C3=A1tica:_This_week?=",
			"",
			"Estou de férias.")},
		{"Swedish", "auto-reply (subject)", mail(
			"From: Elin <elin@hamn.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Autosvar: This week in the harbour",
			"",
			"Jag är tillbaka den 4 januari.")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := bounces.Parse(tc.raw)
			if rep.Kind != "" || rep.Reason != tc.reason {
				t.Errorf("Parse = kind %q, status %q, reason %q; want no event, reason %q", rep.Kind, rep.Status, rep.Reason, tc.reason)
			}
		})
	}
}

// Exchange's own bounce text gives the answer on a line of its own,
// "#552 5.2.2 ... ##", rather than after "Remote Server returned": its
// status is read from there, so a full mailbox is the soft bounce it is,
// not a hard 5.0.0 for want of a status.
func TestExchangeNDRStatusOnItsOwnLine(t *testing.T) {
	raw := mail(
		"From: Microsoft Outlook <postmaster@firth.test>",
		"To: bounce+abc@bounces.harbour.test",
		"Subject: Undeliverable: This week in the harbour",
		"Auto-Submitted: auto-replied",
		"Content-Type: text/plain; charset=us-ascii",
		"",
		"Delivery has failed to these recipients or groups:",
		"",
		"Moira Lennox (moira@firth.test)",
		"The recipient's mailbox is full and can't accept messages now.",
		"",
		"Diagnostic information for administrators:",
		"",
		"Generating server: MBX02.firth.test",
		"",
		"moira@firth.test",
		"#552 5.2.2 STOREDRV.Deliver; recipient mailbox is full ##",
	)
	rep := bounces.Parse(raw)
	if rep.Kind != events.BounceSoft || rep.Status != "5.2.2" || rep.Recipient != "moira@firth.test" {
		t.Errorf("Parse = kind %q, status %q, recipient %q, diagnostic %q; want a soft bounce 5.2.2 of moira@firth.test",
			rep.Kind, rep.Status, rep.Recipient, rep.Diagnostic)
	}
}
