package web

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/subscribers"
)

type dashboardPage struct {
	adminPage
	Statuses []dashboardStatus
	Growth   []growthBar
	// Campaigns are the newest, as the campaigns list shows them.
	Campaigns []campaignRow
	Health    *healthWarning
	// HooksOff are the webhook endpoints Bulletin switched off.
	HooksOff []hooks.Endpoint
	Start    *gettingStarted
}

// A dashboardStatus is the count of readers of one status. NoList is how
// many of the confirmed are on no list (their only list was deleted):
// counted as confirmed, they get no mail, which the count alone hid.
type dashboardStatus struct {
	Name          string
	Count, NoList int
}

// A growthBar is one day's bar of the dashboard's chart of new readers.
// Short is its count in at most four characters ("40k", "1.2M"), shown
// over the bar on a phone, where fourteen bars share ~300 px and
// "40,015" broke into three lines over the paragraph above; empty when
// the count is as short in full.
type growthBar struct {
	Day          time.Time
	Count, Width int
	Short        string
}

// shortCount is n in at most four characters, rounded: 999, 1.2k, 40k,
// 1.2M, 12M; "" below 1,000, which is as short in full.
func shortCount(n int) string {
	tenths := func(v float64, unit string) string {
		return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + unit
	}
	switch {
	case n < 1000:
		return ""
	case n < 9950:
		return tenths(float64(n)/1e3, "k")
	case n < 999_500:
		return strconv.Itoa((n+500)/1000) + "k"
	case n < 9_950_000:
		return tenths(float64(n)/1e6, "M")
	}
	return strconv.Itoa((n+500_000)/1_000_000) + "M"
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	counts, err := s.Subscribers.StatusCounts(ctx)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	growth, err := s.Subscribers.Growth(ctx, 14)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	noList, err := s.Subscribers.ConfirmedOnNoList(ctx)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &dashboardPage{}
	for _, st := range []string{subscribers.StatusConfirmed, subscribers.StatusPending, subscribers.StatusUnsubscribed, subscribers.StatusBounced} {
		d := dashboardStatus{Name: strings.ToUpper(st[:1]) + st[1:], Count: counts[st]}
		if st == subscribers.StatusConfirmed {
			d.NoList = noList
		}
		p.Statuses = append(p.Statuses, d)
	}
	most := 1
	for _, g := range growth {
		most = max(most, g.Count)
	}
	for _, g := range growth {
		p.Growth = append(p.Growth, growthBar{Day: g.Day, Count: g.Count, Width: g.Count * 100 / most, Short: shortCount(g.Count)})
	}
	if s.Campaigns != nil {
		recent, err := s.Campaigns.Recent(ctx, "", 10)
		if err == nil {
			p.Campaigns, err = s.campaignRows(ctx, recent)
		}
		if err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	if p.Start, err = s.gettingStarted(ctx, counts[subscribers.StatusConfirmed], len(p.Campaigns) > 0); err != nil {
		s.adminError(w, r, err)
		return
	}
	if p.Health, err = s.healthWarning(ctx); err != nil {
		s.adminError(w, r, err)
		return
	}
	if s.Hooks != nil {
		if p.HooksOff, err = s.Hooks.Disabled(ctx); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_dashboard", p)
}

// An outboxLine is one message of the outbox page: When is the time it
// was written, zero when its file name does not say; the page shows it as
// every admin page shows times (the datetime template func).
type outboxLine struct {
	Name, To, Subject string
	When              time.Time
}

type outboxPage struct {
	adminPage
	Enabled  bool
	Dir      string
	Messages []outboxLine
	// Total is how many messages the outbox holds, First and Last the
	// places of this page's first and last among them, newest first.
	Total, First, Last int
	// OlderURL and NewerURL are the pages beside this one; empty at
	// either end. Paged says a cursor chose this page, not the newest.
	OlderURL, NewerURL string
	Paged              bool
}

// outboxPerPage is how many messages a page of the outbox lists.
const outboxPerPage = 200

// outboxPage lists the outbox's messages, newest first, a page at a
// time: ?before=NAME pages to older messages, ?after=NAME back to newer.
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) {
	p := &outboxPage{Enabled: s.Outbox != nil}
	if s.Outbox == nil {
		s.renderAdmin(w, r, http.StatusOK, "admin_outbox", p)
		return
	}
	q := r.URL.Query()
	page, err := s.Outbox.Page(q.Get("before"), q.Get("after"), outboxPerPage)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Dir, p.Total, p.First = s.Outbox.Dir, page.Total, page.First
	p.Last = page.First + len(page.Names) - 1
	p.Paged = q.Get("before") != "" || q.Get("after") != ""
	if page.Older != "" {
		p.OlderURL = "/admin/outbox?" + url.Values{"before": {page.Older}}.Encode()
	}
	if page.Newer != "" {
		p.NewerURL = "/admin/outbox?" + url.Values{"after": {page.Newer}}.Encode()
	}
	for _, name := range page.Names {
		line := outboxLine{Name: name, Subject: "(unreadable)"}
		if t, err := time.Parse("20060102T150405.000000000Z", strings.SplitN(name, "-", 2)[0]); err == nil {
			line.When = t
		}
		if raw, err := s.Outbox.Read(name); err == nil {
			if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
				line.To = readableAddresses(msg.Header.Get("To"))
				line.Subject = decodeHeader(msg.Header.Get("Subject"))
			}
		}
		p.Messages = append(p.Messages, line)
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_outbox", p)
}

type outboxMessagePage struct {
	adminPage
	Subject, HTML, Text, Raw string
	Headers                  []headerLine
}

func (s *Server) outboxMessage(w http.ResponseWriter, r *http.Request) {
	if s.Outbox == nil {
		http.NotFound(w, r)
		return
	}
	raw, err := s.Outbox.Read(r.PathValue("name"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &outboxMessagePage{Subject: decodeHeader(msg.Header.Get("Subject")), Raw: string(raw), Headers: outboxHeaders(raw)}
	p.Text, p.HTML = mimeParts(msg)
	if p.HTML != "" {
		p.HTML = linksOutOfFrame(p.HTML)
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_outbox_message", p)
}

// linksOutOfFrame makes the links of a mail's HTML part, shown in the
// outbox's frame, open a tab of their own: Bulletin's pages refuse to be
// framed, so a confirmation link followed inside the frame showed a broken
// page, though it had confirmed the reader.
func linksOutOfFrame(html string) string {
	const base = `<base target="_blank">`
	if i := strings.Index(strings.ToLower(html), "<head"); i >= 0 {
		if j := strings.IndexByte(html[i:], '>'); j >= 0 {
			return html[:i+j+1] + base + html[i+j+1:]
		}
	}
	return base + html
}

// mimeParts returns the decoded text and HTML parts of a message: its
// body when it is one part of either, the first of each found when it is
// multipart, at any depth (an alternative within a mixed message, with
// attachments). Quoted-printable and base64 parts are decoded; each part
// is read up to 4 MiB.
func mimeParts(msg *mail.Message) (text, html string) {
	walkPart(textproto.MIMEHeader(msg.Header), msg.Body, 0, &text, &html)
	return text, html
}

// walkPart fills text and html from the part with header h and body,
// depth parts deep: each is left as it is once found.
func walkPart(h textproto.MIMEHeader, body io.Reader, depth int, text, html *string) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = "text/plain" // RFC 2045's default, for a missing or broken type
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= 8 || params["boundary"] == "" {
			return
		}
		// NextPart undoes quoted-printable itself and drops the header.
		mr := multipart.NewReader(body, params["boundary"])
		for *text == "" || *html == "" {
			part, err := mr.NextPart()
			if err != nil {
				return
			}
			walkPart(part.Header, part, depth+1, text, html)
		}
		return
	}
	into := text
	switch {
	case mt == "text/html":
		into = html
	case mt != "text/plain":
		return
	}
	if *into != "" {
		return
	}
	if d, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); d == "attachment" {
		return // "attachment; filename=notes.txt" is a file sent with the mail, not its text
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // line breaks are skipped
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	buf, _ := io.ReadAll(io.LimitReader(body, 4<<20))
	*into = string(buf)
}

// decodeHeader decodes the RFC 2047 encoded words of a header value for
// reading, but shows the value as sent when they hide a control character
// or a line separator: decoded, an encoded CR LF would look like a header
// line of its own.
func decodeHeader(v string) string {
	dec := new(mime.WordDecoder)
	s, err := dec.DecodeHeader(v)
	if err != nil || strings.ContainsFunc(s, breaksLine) {
		return v
	}
	return s
}

func breaksLine(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp)
}

type queuesPage struct {
	adminPage
	Queues  []*asynq.QueueInfo
	Servers []struct {
		Host, Queues           string
		Started                time.Time
		PID, Busy, Concurrency int
	}
}

func (s *Server) queuesPage(w http.ResponseWriter, r *http.Request) {
	p := &queuesPage{}
	if s.Inspector != nil {
		if s.AnnounceQueues != nil {
			_ = s.AnnounceQueues(r.Context()) // a Redis that does not answer fails the reads below
		}
		servers, _ := s.Inspector.Servers()
		var err error
		if p.Queues, err = queueInfos(s.Inspector, servers); err != nil {
			s.adminError(w, r, err)
			return
		}
		for _, sv := range servers {
			var qs []string
			for q := range sv.Queues {
				qs = append(qs, q)
			}
			sort.Strings(qs)
			p.Servers = append(p.Servers, struct {
				Host, Queues           string
				Started                time.Time
				PID, Busy, Concurrency int
			}{sv.Host, strings.Join(qs, ", "), sv.Started, sv.PID, len(sv.ActiveWorkers), sv.Concurrency})
		}
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_queues", p)
}
