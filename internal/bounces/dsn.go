package bounces

import (
	"bufio"
	"bytes"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/bulletinhq/bulletin/internal/events"
)

// parseDSN reads the message/delivery-status part of a DSN (RFC 3464): a
// block of per-message fields, then one block per recipient. The first
// recipient whose Action is failed makes the report a bounce; a DSN with
// only delayed, delivered, relayed or expanded recipients is none (the
// MTA still tries, or it worked).
func parseDSN(r *Report, data []byte) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	var blocks []textproto.MIMEHeader
	for len(blocks) < 100 {
		h, err := tp.ReadMIMEHeader()
		if len(h) > 0 {
			blocks = append(blocks, h)
		}
		if err != nil {
			break
		}
	}
	var actions []string
	for _, h := range blocks {
		action := strings.ToLower(strings.TrimSpace(h.Get("Action")))
		if action == "" {
			continue // the per-message block
		}
		actions = append(actions, action)
		if action != "failed" {
			continue
		}
		r.Source = events.SourceDSN
		r.Recipient = addressField(h.Get("Final-Recipient"))
		if r.Recipient == "" {
			r.Recipient = addressField(h.Get("Original-Recipient"))
		}
		r.Diagnostic = typedField(h.Get("Diagnostic-Code"))
		r.Status = statusOf(firstWord(h.Get("Status")), r.Diagnostic, true)
		r.Kind = events.KindOf(r.Status)
		return
	}
	if len(actions) == 0 {
		r.Reason = "a delivery status notification with no recipient"
		return
	}
	r.Reason = "a delivery status notification that reports no failure (" + strings.Join(actions, ", ") + ")"
}

// addressField returns the address of a typed address field such as
// "rfc822; reader@example.com", without angle brackets.
func addressField(v string) string {
	v = typedField(v)
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">"))
}

// typedField returns what follows the type of a field such as
// "smtp; 550 5.1.1 no such user", on one line.
func typedField(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.Join(strings.Fields(v), " ")
}

func firstWord(v string) string {
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}

var (
	enhancedRE = regexp.MustCompile(`(?:^|[^0-9.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)`)
	basicRE    = regexp.MustCompile(`(?:^|[^0-9.])([45])[0-9]{2}(?:[ -]|$)`)
)

// statusOf returns the enhanced status code of a failure: status when it
// is one, else the one in the diagnostic, else the class of the
// diagnostic's SMTP reply code, else 5.0.0 for a permanent failure and
// 4.0.0 otherwise.
func statusOf(status, diagnostic string, permanent bool) string {
	if events.ValidStatus(status) {
		return status
	}
	if m := enhancedRE.FindStringSubmatch(diagnostic); m != nil {
		return m[1]
	}
	if m := basicRE.FindStringSubmatch(diagnostic); m != nil {
		return m[1] + ".0.0"
	}
	if permanent {
		return "5.0.0"
	}
	return "4.0.0"
}
