package web

import (
	"net/mail"
	"strings"
)

// A headerLine is one header of a mail as the outbox page shows it.
type headerLine struct{ Name, Value string }

// firstHeaders are the headers a reader looks for, shown first on the
// outbox's message page, in this order. Before, the headers were sorted
// A–Z, and Content-Type with its long boundary came first while From, To
// and Subject sat below Message-Id and Mime-Version.
var firstHeaders = []string{"From", "To", "Subject", "Date"}

// addressHeaders hold addresses, shown as "Name <address>" with the name
// decoded (readableAddresses).
var addressHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "reply-to": true, "sender": true,
}

// outboxHeaders returns the header lines of raw: From, To, Subject and
// Date first, then the others in their order in the message, each once
// per time it occurs, encoded words decoded (decodeHeader) and addresses
// readable. net/mail's Header is a map, which keeps no order, so the
// header block is read here.
func outboxHeaders(raw []byte) []headerLine {
	all := headerBlock(string(raw))
	lines := make([]headerLine, 0, len(all))
	taken := make([]bool, len(all))
	for _, name := range firstHeaders {
		for i, h := range all {
			if !taken[i] && strings.EqualFold(h.Name, name) {
				lines, taken[i] = append(lines, h), true
			}
		}
	}
	for i, h := range all {
		if !taken[i] {
			lines = append(lines, h)
		}
	}
	for i, h := range lines {
		if addressHeaders[strings.ToLower(h.Name)] {
			lines[i].Value = readableAddresses(h.Value)
		} else {
			lines[i].Value = decodeHeader(h.Value)
		}
	}
	return lines
}

// headerBlock splits the header block of a message, up to its first empty
// line, into its headers as written, folded lines unfolded. A line that is
// no header (no colon) is left out, as net/mail would refuse it.
func headerBlock(msg string) []headerLine {
	var all []headerLine
	for line := range strings.Lines(msg) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(all); n > 0 {
				all[n-1].Value += " " + strings.TrimLeft(line, " \t")
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			continue
		}
		all = append(all, headerLine{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return all
}

// readableAddresses shows an address header as people read it: "Lucy Tan
// <lucy.tan@example.com>", not `"Lucy Tan" <lucy.tan@example.com>`, with
// encoded names (RFC 2047) decoded; a name with a comma keeps its quotes,
// so that a list of several still reads as one per comma. A value that does not parse, or a
// name that decodes to a control character or line break (which would
// look like a header of its own), is shown as decodeHeader shows it.
func readableAddresses(v string) string {
	list, err := mail.ParseAddressList(v)
	if err != nil || len(list) == 0 {
		return decodeHeader(v)
	}
	out := make([]string, len(list))
	for i, a := range list {
		if strings.ContainsFunc(a.Name, breaksLine) || strings.ContainsFunc(a.Address, breaksLine) {
			return decodeHeader(v)
		}
		name := a.Name
		if strings.ContainsAny(name, ",<>") {
			name = `"` + name + `"` // "Tan, Lucy" stays one person in a list
		}
		out[i] = a.Address
		if name != "" {
			out[i] = name + " <" + a.Address + ">"
		}
	}
	return strings.Join(out, ", ")
}
