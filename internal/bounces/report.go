package bounces

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A Report is what a mail sent back to a VERP address says. Parse makes
// it from the mail's bytes alone; it trusts nothing in them beyond the
// report itself (which delivery it is about comes from the VERP address).
type Report struct {
	// Kind is the event the mail reports, or empty when it is none (an
	// auto-reply, a delay notice, mail Parse cannot read): Reason then
	// says why.
	Kind   events.Kind
	Source events.Source
	Reason string
	// Status is the enhanced status code, Diagnostic the receiving side's
	// words, Recipient the address the report is about, as reported.
	Status     string
	Diagnostic string
	Recipient  string
	// MessageID is the Message-ID of the report itself, OriginalID that
	// of the message it reports on, when returned.
	MessageID  string
	OriginalID string
	Subject    string
}

// partLimit bounds what is read of one MIME part.
const partLimit = 1 << 20

// Parse reads a mail sent to a VERP address: a DSN (RFC 3464), an ARF
// feedback report (RFC 5965), a bounce in one of the common non-standard
// forms, an auto-reply, or something else. It never fails: what it
// cannot read is a Report with no Kind and a Reason.
func Parse(raw []byte) Report {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Report{Reason: "not a mail message: " + err.Error()}
	}
	r := Report{
		Subject:   decodeHeader(msg.Header.Get("Subject")),
		MessageID: strings.TrimSpace(msg.Header.Get("Message-Id")),
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		mt = "text/plain"
	}
	if mt == "multipart/report" {
		parseReport(&r, msg.Body, params)
		if r.Kind != "" || r.Reason != "" {
			return r
		}
	}
	text := bodyText(mt, params, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	why := autoReply(msg.Header, r.Subject)
	if parseNDR(&r, text, why != "") {
		return r
	}
	if why != "" {
		r.Reason = "auto-reply (" + why + ")"
		return r
	}
	r.Reason = "neither a bounce nor a complaint Bulletin can read"
	return r
}

// parseReport reads a multipart/report: its machine-readable part says
// what it is, and the returned message or headers give the original
// Message-ID.
func parseReport(r *Report, body io.Reader, params map[string]string) {
	if params["boundary"] == "" {
		r.Reason = "a multipart/report without a boundary"
		return
	}
	var status, feedback []byte
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		data, _ := io.ReadAll(io.LimitReader(decodePart(p), partLimit))
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			status = data
		case "message/feedback-report":
			feedback = data
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			r.OriginalID = originalID(data)
		}
	}
	switch {
	case status != nil:
		parseDSN(r, status)
	case feedback != nil:
		parseARF(r, feedback)
	case strings.EqualFold(params["report-type"], "delivery-status"), strings.EqualFold(params["report-type"], "feedback-report"):
		r.Reason = "a " + params["report-type"] + " report without its " + params["report-type"] + " part"
	}
	// Another kind of report (disposition, TLS) leaves r as it was: the
	// caller tries the non-standard forms on its text.
}

// decodePart undoes a part's base64 transfer encoding; mime/multipart
// undoes quoted-printable itself.
func decodePart(p *multipart.Part) io.Reader {
	if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p)
	}
	return p
}

// originalID returns the Message-ID in a returned message or header block.
func originalID(data []byte) string {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	return strings.TrimSpace(h.Get("Message-Id"))
}

// decodeHeader decodes RFC 2047 words, leaving the text as it is when it
// cannot.
func decodeHeader(s string) string {
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}
