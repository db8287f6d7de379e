// Package mailtest checks composed mails in tests: against golden files,
// after replacing only what is random or taken from the clock, and read
// back strictly with net/mail and mime/multipart, like
// net/http/httptest for handlers.
package mailtest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// Stand-ins for what differs from one rendering of a mail to the next.
// They keep the length of what they replace, so line lengths in a golden
// file are those of the real mail.
const (
	goldenDate           = "Thu, 01 Jan 1970 00:00:00 +0000"
	goldenIDPrefix       = "normalised-message-id-"
	goldenBoundaryPrefix = "normalised-boundary-"
)

var (
	// A random Message-ID's left side, or a delivery's without a bounce
	// domain (mailer's deliveryMessageID: its tracking token, or a digest).
	messageIDRE = regexp.MustCompile(`^<([0-9a-f]{32}|[0-9a-f]{24}|[A-Za-z0-9_-]{12,64})@[A-Za-z0-9.-]+>$`)
	boundaryRE  = regexp.MustCompile(`^[0-9a-f]{60}$`)
)

// Normalize replaces, in a composed message, only what is random or
// taken from the clock, after checking that each is well formed:
//   - Date is the wall clock at composition (time.Now, in the local zone);
//   - the left side of Message-ID is 16 random bytes (the right side, the
//     sending domain, is kept);
//   - the multipart boundary is 30 random bytes from mime/multipart;
//   - the order of the top-level header fields: jordan-wright/email writes
//     them from a Go map, so it changes from one composition to the next.
//     They are sorted by name; the part headers are sorted already.
//
// Everything else, folding and encodings included, is left byte for byte.
// The signed tokens in links are not replaced: unsubscribe and preferences
// tokens never expire, so hold no time, and the confirmation test fixes
// the signer's clock for the expiry its token holds.
func Normalize(t *testing.T, raw []byte) []byte {
	t.Helper()
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		t.Fatal("message has no end of header")
	}
	fields := headerFields(string(raw[:end+2]))
	slices.SortStableFunc(fields, func(a, b string) int { return strings.Compare(fieldName(a), fieldName(b)) })
	var boundary string
	for i, f := range fields {
		name, value, _ := strings.Cut(f, ":")
		value = strings.TrimSpace(strings.NewReplacer("\r\n ", " ", "\r\n\t", "\t").Replace(value))
		switch strings.ToLower(name) {
		case "date":
			d, err := mail.ParseDate(value)
			if err != nil || d.Format(time.RFC1123Z) != value || time.Since(d).Abs() > time.Hour {
				t.Fatalf("Date %q: not an RFC 5322 date of now (%v)", value, err)
			}
			fields[i] = name + ": " + goldenDate + "\r\n"
		case "message-id":
			m := messageIDRE.FindStringSubmatch(value)
			if m == nil {
				t.Fatalf("Message-ID %q: want <32 hex digits@domain> or <cN.dN.12 hex digits@domain>", value)
			}
			fields[i] = strings.Replace(f, m[1], pad(goldenIDPrefix, 32), 1)
		case "content-type":
			_, params, err := mime.ParseMediaType(value)
			if err != nil || !boundaryRE.MatchString(params["boundary"]) {
				t.Fatalf("Content-Type %q: want a boundary of 60 hex digits (%v)", value, err)
			}
			boundary = params["boundary"]
		}
	}
	if boundary == "" {
		t.Fatal("message has no Content-Type")
	}
	out := []byte(strings.Join(fields, "") + string(raw[end+2:]))
	return bytes.ReplaceAll(out, []byte(boundary), []byte(pad(goldenBoundaryPrefix, len(boundary))))
}

// headerFields splits a header block into its fields, each with its
// continuation lines and final CRLF.
func headerFields(head string) []string {
	var out []string
	for _, line := range strings.SplitAfter(head, "\r\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1] += line
			continue
		}
		out = append(out, line)
	}
	return out
}

func fieldName(field string) string {
	name, _, _ := strings.Cut(field, ":")
	return strings.ToLower(name)
}

func pad(prefix string, n int) string { return prefix + strings.Repeat("0", n-len(prefix)) }

// Golden compares got with testdata/NAME.golden, or rewrites the file
// when update is set (a test's -update flag), and returns the golden
// message.
func Golden(t *testing.T, name string, got []byte, update bool) []byte {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test -run Golden -update to write it", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("mail differs from %s (-want +got):\n%s\nIf the change is meant, run go test -run Golden -update and review the diff.",
			path, cmp.Diff(strings.SplitAfter(string(want), "\n"), strings.SplitAfter(string(got), "\n")))
	}
	return want
}

// A Mail is a message read back with net/mail and mime/multipart.
type Mail struct {
	Header     mail.Header
	Text, HTML string // the decoded parts
}

// Parse reads raw back strictly: CRLF lines within the RFC 5322 limit,
// multipart/alternative with a UTF-8 text/plain part then a text/html one,
// both quoted-printable. It fails t on anything else.
func Parse(t *testing.T, raw []byte) *Mail {
	t.Helper()
	for i, line := range bytes.SplitAfter(raw, []byte("\n")) {
		body := bytes.TrimSuffix(line, []byte("\r\n"))
		if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) || bytes.ContainsAny(body, "\r\n") {
			t.Errorf("line %d does not end in CRLF: %q", i+1, line)
		}
		if len(body) > 998 {
			t.Errorf("line %d is %d octets, over RFC 5322's 998", i+1, len(body))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v; want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	pm := &Mail{Header: msg.Header}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []string{"text/plain", "text/html"} {
		p, err := r.NextRawPart() // raw: NextPart would drop Content-Transfer-Encoding
		if err != nil {
			t.Fatalf("part %s: %v", want, err)
		}
		mt, ps, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || mt != want || !strings.EqualFold(ps["charset"], "utf-8") {
			t.Errorf("part Content-Type = %q, %v; want %s; charset=UTF-8", p.Header.Get("Content-Type"), err, want)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("%s part Content-Transfer-Encoding = %q, want quoted-printable", want, cte)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil || !utf8.Valid(b) {
			t.Fatalf("%s part: %v, valid UTF-8: %t", want, err, utf8.Valid(b))
		}
		// Quoted-printable carries line breaks as CRLF; the checks read LF.
		s := strings.ReplaceAll(string(b), "\r\n", "\n")
		if want == "text/plain" {
			pm.Text = s
		} else {
			pm.HTML = s
		}
	}
	if _, err := r.NextRawPart(); err != io.EOF {
		t.Errorf("after the HTML part: %v, want the end of the multipart", err)
	}
	return pm
}

// CheckHeaders checks what SPEC §4 asks of every message: From, To,
// Subject (decoded), Date, a Message-ID on the sending domain and
// MIME-Version, and header lines folded under 78 octets where they can be.
func CheckHeaders(t *testing.T, raw []byte, pm *Mail, from, to *mail.Address, subject string) {
	t.Helper()
	h := pm.Header
	for _, c := range []struct {
		field string
		want  *mail.Address
	}{{"From", from}, {"To", to}} {
		got, err := h.AddressList(c.field)
		if err != nil || len(got) != 1 || *got[0] != *c.want {
			t.Errorf("%s = %v, %v; want %v", c.field, got, err, c.want)
		}
	}
	dec := new(mime.WordDecoder)
	if got, err := dec.DecodeHeader(h.Get("Subject")); err != nil || got != subject {
		t.Errorf("Subject = %q, %v; want %q", got, err, subject)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@"+domainOf(from.Address)+">") {
		t.Errorf("Message-ID = %q, want <…@%s>", id, domainOf(from.Address))
	}
	if v := h.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q, want 1.0", v)
	}
	head := string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	for _, line := range strings.Split(head, "\r\n") {
		_, value, _ := strings.Cut(strings.TrimLeft(line, " \t"), ": ")
		if len(line) > 78 && strings.Contains(strings.TrimSpace(value), " ") {
			t.Errorf("header line of %d octets not folded: %q", len(line), line)
		}
	}
}

func domainOf(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }

// SMTPTo returns a real SMTP transport to the server at url (an
// smtptest.Server's URL), closed when t ends.
func SMTPTo(t testing.TB, url string) *mailer.SMTP { return SlowSMTPTo(t, url, 0) }

// SlowSMTPTo is SMTPTo sending at most perSecond messages a second, as
// BULLETIN_SMTP_RATE makes it (0: no limit).
func SlowSMTPTo(t testing.TB, url string, perSecond float64) *mailer.SMTP {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rate = perSecond
	pool, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}
