package bounces

import (
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
)

// bodyText returns the readable text of a body of media type mt: itself
// when text/plain, its text/plain parts (or, lacking any, its HTML parts
// without tags) when multipart, at most partLimit bytes.
func bodyText(mt string, params map[string]string, cte string, body io.Reader) string {
	var b strings.Builder
	var htmlText strings.Builder
	collectText(&b, &htmlText, mt, params, cte, body, 0)
	if b.Len() == 0 {
		return htmlText.String()
	}
	return b.String()
}

var tagRE = regexp.MustCompile(`(?s)<(?:style|script)[^>]*>.*?</(?:style|script)>|<br\s*/?>|</(?:p|div|tr|li|h[1-6])>|<[^>]*>`)

func collectText(plain, htm *strings.Builder, mt string, params map[string]string, cte string, body io.Reader, depth int) {
	if plain.Len()+htm.Len() > partLimit {
		return
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if depth > 4 || params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return
			}
			pt, pparams, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if err != nil {
				pt = "text/plain"
			}
			collectText(plain, htm, pt, pparams, p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
		}
	case mt == "text/plain":
		data, _ := io.ReadAll(io.LimitReader(decodeBody(cte, body), partLimit))
		plain.Write(data)
		plain.WriteString("\n")
	case mt == "text/html":
		data, _ := io.ReadAll(io.LimitReader(decodeBody(cte, body), partLimit))
		text := tagRE.ReplaceAllStringFunc(string(data), func(tag string) string {
			if strings.HasPrefix(tag, "<br") || strings.HasPrefix(tag, "</") {
				return "\n"
			}
			return ""
		})
		htm.WriteString(strings.ReplaceAll(html.UnescapeString(text), "\u00a0", " "))
		htm.WriteString("\n")
	}
}

// decodeBody undoes a transfer encoding.
func decodeBody(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// autoReplySubjectRE matches the subjects of out-of-office and other
// automatic replies in the languages they most often come in.
var autoReplySubjectRE = regexp.MustCompile(`(?i)^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|autoreply|out of (?:the )?office|abwesenheit|automatische antwort|automatisch antwoord|afwezig|r[ée]ponse automatique|absente? du bureau|respuesta autom[áa]tica|fuera de la oficina|risposta automatica|resposta autom[áa]tica|automatisk svar|autosvar|automatyczna odpowied[zź]|automaattinen vastaus|automatická odpověď|on vacation|away from (?:the|my) office|auto:)`)

// autoReply says why the mail looks like an automatic reply (RFC 3834,
// or the headers and subjects of common responders), or "" when it does
// not.
func autoReply(h mail.Header, subject string) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + clipField(v)
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if h.Get(k) != "" {
			return k
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply", "auto-reply":
		return "Precedence: auto_reply"
	}
	if autoReplySubjectRE.MatchString(subject) {
		return "subject"
	}
	return ""
}
