package campaigns

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// linkOpen and linkClose stand around a link's label in the prose of an
// excerpt as textWriter writes it (prose), for excerptOf to find the
// links in; a body's own are taken out of it first.
const (
	linkOpen  = "\x01"
	linkClose = "\x02"
)

// An excerptPart is a run of an excerpt's text: a link's label, with its
// URL, or text between links, with none.
type excerptPart struct {
	Text string
	URL  string // absolute http, https or mailto; "" for text
}

// An excerpt is the start of an article's body shown in a digest for an
// article without a summary: its text, with the links it holds kept as
// links (the HTML part) and as their label with the URL after it (the
// text part), as a campaign's text part writes them.
type excerpt []excerptPart

// String is the excerpt's text alone, as the HTML part shows it.
func (e excerpt) String() string {
	var b strings.Builder
	for _, p := range e {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Text is the excerpt as the text part reads it: a link's label with its
// URL after it in brackets, a mailto's as its address, and once only
// where the label is the URL.
func (e excerpt) Text() string {
	var b strings.Builder
	for _, p := range e {
		b.WriteString(p.Text)
		if p.URL == "" {
			continue
		}
		shown := p.URL
		if addr, ok := mailtoAddress(p.URL); ok {
			shown = addr
		}
		if shown != strings.TrimSuffix(p.Text, "…") {
			b.WriteString(" (" + shown + ")")
		}
	}
	return b.String()
}

// excerptOf reads s, prose written by textWriter with links marked
// (linkOpen, linkClose; their URLs in links, in order), into an excerpt:
// its white space runs made one space across the parts, as clip makes
// them, and each URL made absolute against base, the article's URL. A
// relative URL without a base, which a mail cannot follow, leaves its
// label as text.
func excerptOf(s string, links []string, base string) excerpt {
	var e excerpt
	space := true // at the start: leading space goes
	add := func(text, u string) {
		var b strings.Builder
		for _, r := range text {
			if unicode.IsSpace(r) {
				if !space {
					b.WriteByte(' ')
				}
				space = true
				continue
			}
			b.WriteRune(r)
			space = false
		}
		if b.Len() == 0 {
			return
		}
		if n := len(e); n > 0 && e[n-1].URL == u {
			e[n-1].Text += b.String()
			return
		}
		e = append(e, excerptPart{Text: b.String(), URL: u})
	}
	for s != "" {
		before, rest, ok := strings.Cut(s, linkOpen)
		add(before, "")
		if !ok {
			break
		}
		label, after, _ := strings.Cut(rest, linkClose)
		var u string
		if len(links) > 0 {
			u, links = absoluteURL(links[0], base), links[1:]
		}
		add(label, u)
		s = after
	}
	if n := len(e); n > 0 {
		e[n-1].Text = strings.TrimRight(e[n-1].Text, " ")
		if e[n-1].Text == "" {
			e = e[:n-1]
		}
	}
	return e
}

// absoluteURL is u, a link's URL in an article's body, as a mail can
// follow it: an http, https or mailto URL as it is, a relative one
// resolved against base, the article's URL; "" when neither can be had.
func absoluteURL(u, base string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return ""
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		if p.Host == "" {
			return ""
		}
		return p.String()
	case "mailto":
		return p.String()
	case "":
		b, err := url.Parse(base)
		if err != nil || b.Host == "" || b.Scheme != "http" && b.Scheme != "https" {
			return ""
		}
		return b.ResolveReference(p).String()
	}
	return ""
}

// clip is clip (the function) for an excerpt: cut to at most n runes of
// text at a word boundary, with an ellipsis, a link cut in its label
// keeping its URL.
func (e excerpt) clip(n int) excerpt {
	all := e.String()
	cut := clip(all, n)
	if cut == all {
		return e
	}
	keep := utf8.RuneCountInString(strings.TrimSuffix(cut, "…"))
	var out excerpt
	inLink := false // the cut is in a link's label
	for _, p := range e {
		r := utf8.RuneCountInString(p.Text)
		if keep >= r {
			out, keep = append(out, p), keep-r
			continue
		}
		if keep > 0 {
			out = append(out, excerptPart{Text: string([]rune(p.Text)[:keep]), URL: p.URL})
			inLink = p.URL != ""
		}
		break
	}
	if inLink {
		out[len(out)-1].Text += "…" // the link's label goes on
	} else {
		out = append(out, excerptPart{Text: "…"})
	}
	if n := len(out); n > 1 && out[n-1].URL == "" && out[n-2].URL == "" {
		out[n-2].Text += out[n-1].Text
		out = out[:n-1]
	}
	return out
}
