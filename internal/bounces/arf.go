package bounces

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"

	"github.com/bulletinhq/bulletin/internal/events"
)

// parseARF reads the message/feedback-report part of an ARF report
// (RFC 5965). Feedback of type abuse, fraud or virus is a complaint: the
// reader, or their provider for them, called the mail unwanted. Other
// types (not-spam, auth-failure, other) are not.
func parseARF(r *Report, data []byte) {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	typ := strings.ToLower(strings.TrimSpace(h.Get("Feedback-Type")))
	switch typ {
	case "abuse", "fraud", "virus":
	case "":
		r.Reason = "a feedback report without Feedback-Type"
		return
	default:
		r.Reason = "a feedback report of type " + clipField(typ) + ", not a complaint"
		return
	}
	r.Kind, r.Source = events.Complaint, events.SourceARF
	r.Recipient = strings.Trim(strings.TrimSpace(h.Get("Original-Rcpt-To")), "<>")
	r.Diagnostic = "feedback-type " + typ
	if ua := strings.TrimSpace(h.Get("User-Agent")); ua != "" {
		r.Diagnostic += " from " + clipField(ua)
	}
}

// clipField keeps a field from a report short enough to show.
func clipField(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}
