package mailer

import (
	"regexp"
	"strings"
)

// maxRelayID is the longest relay id kept: longer is no id any relay
// uses, and the text is kept for every message.
const maxRelayID = 128

// sesID is the message id Amazon SES gives in its reply to the data
// ("250 Ok <id>") and names the message by in its events
// (mail.messageId): 16 hex digits, a UUID and a 6-digit counter.
var sesID = regexp.MustCompile(`^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9]{6}$`)

// RelayID returns the id a relay gave the message it accepted, from the
// text of its 250 reply to the data (without the code), or "" when the
// reply names none. The forms read:
//
//	Postfix, SendGrid:  2.0.0 Ok: queued as 4Xb9Zk1Qz3z5
//	Amazon SES:         Ok 0100018c7f1c5a3b-...-000000
//	Exim:               OK id=1rAbCd-0001Xy-Ab
//
// The provider's events then name the message by it: SES's
// mail.messageId is the id itself, SendGrid's sg_message_id begins with
// it and a dot.
func RelayID(reply string) string {
	if i := indexFold(reply, "queued as"); i >= 0 {
		return relayToken(reply[i+len("queued as"):])
	}
	if i := indexFold(reply, "id="); i >= 0 && (i == 0 || reply[i-1] == ' ') {
		return relayToken(reply[i+len("id="):])
	}
	// "[2.0.0] Ok <id>", the id in SES's form.
	s := strings.TrimSpace(reply)
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return ""
	}
	id, rest := s[i+1:], strings.TrimRight(s[:i], " ")
	j := strings.LastIndexByte(rest, ' ')
	if !strings.EqualFold(rest[j+1:], "ok") || strings.ContainsRune(strings.TrimSpace(rest[:max(j, 0)]), ' ') || !sesID.MatchString(id) {
		return ""
	}
	return id
}

// indexFold is strings.Index ignoring ASCII case, without a lower-case
// copy of s: it runs for every message sent.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// relayToken returns the first word of s, without angle brackets and
// trailing punctuation, when it is a plausible id.
func relayToken(s string) string {
	s = strings.TrimLeft(s, " \t\r\n:")
	end := strings.IndexAny(s, " \t\r\n;,")
	if end >= 0 {
		s = s[:end]
	}
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimRight(s, "."), "<"), ">")
	if s == "" || len(s) > maxRelayID {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return ""
		}
	}
	return s
}
