package web

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// setupPublication is the publication part of first-run setup: its name,
// public URL and From address, saved into the settings with the first
// admin.
type setupPublication struct {
	PubName     string
	PublicURL   string
	FromAddress string
}

// setupFields maps the settings' field names to the setup form's.
var setupFields = map[string]string{"name": "publication_name", "public_url": "public_url", "from_address": "from_address"}

// prefill proposes the values in force: the public URL serve was started
// with, and BULLETIN_FROM's address unless it is the placeholder on
// localhost, which no mail server would accept.
func (p *setupPublication) prefill(ctx context.Context, st *settings.Store) {
	cur, err := st.Publication(ctx)
	if err != nil {
		return
	}
	p.PublicURL = cur.PublicURL
	if !strings.HasSuffix(cur.FromAddress, "@localhost") {
		p.FromAddress = cur.FromAddress
	}
}

// update makes p an update of the stored settings st, and adds what is
// wrong with its fields to fields, by the form's names. Each of the three
// is required here: a mail needs a name, links and a sender.
func (p *setupPublication) update(ctx context.Context, st *settings.Store, fields map[string]string) (*settings.Update, error) {
	stored, err := st.Stored(ctx)
	if err != nil {
		return nil, err
	}
	u := &settings.Update{Publication: stored}
	u.Name, u.PublicURL, u.FromAddress = p.PubName, p.PublicURL, p.FromAddress
	for k, v := range bulletin.ErrorFields(firstErr(u.Validate())) {
		if name, ok := setupFields[k]; ok {
			fields[name] = asSentence(v)
		}
	}
	for _, req := range []struct{ name, value, why string }{
		{"publication_name", p.PubName, "Name your publication: readers see the name on every page and mail."},
		{"public_url", p.PublicURL, "Give the address readers reach Bulletin at, starting with https://, e.g. https://news.example.com."},
		{"from_address", p.FromAddress, "Give the address your mail comes from, e.g. news@example.com."},
	} {
		if strings.TrimSpace(req.value) == "" {
			fields[req.name] = req.why
		}
	}
	return u, nil
}

// asSentence makes a message of the stores, a fragment under its field
// on an admin page ("write one address, e.g. news@example.com"), a
// sentence, as the setup form's other messages are. A message that
// starts with an address, a host or a URL ("news.example cannot be
// resolved", "localhost (127.0.0.1) is …") keeps it as written:
// "News.example" is not the name typed.
func asSentence(s string) string {
	if s == "" {
		return s
	}
	first, _, _ := strings.Cut(s, " ")
	if first == "" || !strings.ContainsAny(first[:len(first)-1], ".@/:") && first != "localhost" {
		r, n := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// sentences is errs, by field, with each message a sentence (asSentence),
// each line of one a sentence of its own (a campaign's body and a list's
// welcome give their reasons one a line, shown one a line): the admin
// pages show their fields' messages as the setup form does, where the
// JSON API gives the stores' lower-case fragments. A new map: errs may
// be an error's own.
func sentences(errs map[string]string) map[string]string {
	if len(errs) == 0 {
		return errs
	}
	out := make(map[string]string, len(errs))
	for k, why := range errs {
		lines := strings.Split(why, "\n")
		for i, line := range lines {
			lines[i] = asSentence(line)
		}
		out[k] = strings.Join(lines, "\n")
	}
	return out
}

// firstErr drops the first of two results.
func firstErr(_ string, err error) error { return err }
