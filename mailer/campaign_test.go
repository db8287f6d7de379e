package mailer_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// parsed is a message read back with net/mail and mime/multipart.
type parsed struct {
	header mail.Header
	text   string
	html   string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line %d is %d octets", i, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", mt, err)
	}
	p := parsed{header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i := 0; ; i++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			if i != 2 {
				t.Fatalf("%d parts, want 2", i)
			}
			return p
		} else if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		switch ct := part.Header.Get("Content-Type"); {
		case i == 0 && strings.HasPrefix(ct, "text/plain; charset=UTF-8"):
			p.text = string(body)
		case i == 1 && strings.HasPrefix(ct, "text/html; charset=UTF-8"):
			p.html = string(body)
		default:
			t.Fatalf("part %d is %q", i, ct)
		}
	}
}

func TestCampaignMessageFillsFields(t *testing.T) {
	mk := mailer.NewMarkers()
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk,
		From:    &mail.Address{Name: "Harbour Gazette", Address: "news@harbour.example"},
		Subject: "Café Lindqvist opens — and the bridge is back",
		Text:    "Hello " + mk.Of(mailer.Name) + ",\nyour address is " + mk.Of(mailer.Email) + ".\nUnsubscribe: https://h.example/unsubscribe/" + mk.Of(mailer.Unsubscribe) + "\n",
		HTML:    "<p>Hello " + mk.Of(mailer.Name) + "</p><a href=\"https://h.example/preferences/" + mk.Of(mailer.Preferences) + "\">prefs</a>",
		Headers: [][2]string{
			{"List-Unsubscribe", "<https://h.example/unsubscribe/" + mk.Of(mailer.Unsubscribe) + ">"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
			{"List-Id", "Daily <daily.h.example>"},
		},
		Date: time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p              mailer.Personal
		wantText       string
		wantHTMLSubstr string
		wantTo         string
	}{
		{
			p:              mailer.Personal{Email: "ann@example.com", Name: "Ann", Unsubscribe: "tokU1", Preferences: "tokP1"},
			wantText:       "Hello Ann,\r\nyour address is ann@example.com.\r\nUnsubscribe: https://h.example/unsubscribe/tokU1\r\n",
			wantHTMLSubstr: `<p>Hello Ann</p><a href="https://h.example/preferences/tokP1">`,
			wantTo:         "Ann <ann@example.com>",
		},
		{
			p:              mailer.Personal{Email: "zoe@example.com", Name: "Zoë <b>&\"Marchetti\"", Unsubscribe: "tokU2", Preferences: "tokP2"},
			wantText:       "Hello Zoë <b>&\"Marchetti\",\r\nyour address is zoe@example.com.\r\nUnsubscribe: https://h.example/unsubscribe/tokU2\r\n",
			wantHTMLSubstr: `<p>Hello Zoë &lt;b&gt;&amp;&#34;Marchetti&#34;</p>`,
			wantTo:         "Zoë <b>&\"Marchetti\" <zoe@example.com>",
		},
		{
			p:              mailer.Personal{Email: "x@example.com", Name: "Evil\r\nBcc: y@example.com", Unsubscribe: "u", Preferences: "p"},
			wantText:       "Hello Evil Bcc: y@example.com,\r\nyour address is x@example.com.\r\nUnsubscribe: https://h.example/unsubscribe/u\r\n",
			wantHTMLSubstr: `<p>Hello Evil Bcc: y@example.com</p>`,
			wantTo:         "Evil Bcc: y@example.com <x@example.com>",
		},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		raw, err := cm.Compose(nil, tt.p)
		if err != nil {
			t.Fatal(err)
		}
		got := parse(t, raw)
		if diff := cmp.Diff(tt.wantText, got.text); diff != "" {
			t.Errorf("text (-want +got):\n%s", diff)
		}
		if !strings.Contains(got.html, tt.wantHTMLSubstr) {
			t.Errorf("html %q lacks %q", got.html, tt.wantHTMLSubstr)
		}
		to, err := got.header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].String() != (&mail.Address{Name: tt.wantTo[:strings.LastIndex(tt.wantTo, " <")], Address: tt.p.Email}).String() {
			t.Errorf("To = %v, %v; want %s", to, err, tt.wantTo)
		}
		if got.header.Get("Bcc") != "" {
			t.Errorf("a Bcc header was injected")
		}
		if lu := got.header.Get("List-Unsubscribe"); lu != "<https://h.example/unsubscribe/"+tt.p.Unsubscribe+">" {
			t.Errorf("List-Unsubscribe = %q", lu)
		}
		id := got.header.Get("Message-Id")
		if seen[id] || !strings.HasSuffix(id, "@harbour.example>") {
			t.Errorf("Message-Id %q repeated or not of the sending domain", id)
		}
		seen[id] = true
		dec := new(mime.WordDecoder)
		if s, _ := dec.DecodeHeader(got.header.Get("Subject")); s != "Café Lindqvist opens — and the bridge is back" {
			t.Errorf("Subject = %q", s)
		}
		if _, err := got.header.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
	}
}

// TestCampaignMessageAnyColumn puts a field at every column of a long line,
// where quoted-printable soft line breaks fall, with values of every kind.
func TestCampaignMessageAnyColumn(t *testing.T) {
	names := []string{"", "Al", "Ann Lee ", "Zoë", strings.Repeat("Bartholomew ", 8), "a=b", strings.Repeat("é", 60)}
	mk := mailer.NewMarkers()
	for col := 0; col < 90; col += 7 {
		text := strings.Repeat("x", col) + mk.Of(mailer.Name) + strings.Repeat("y", 50) + " " + mk.Of(mailer.Name) + "\nend " + mk.Of(mailer.Name)
		cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
			Markers: mk,
			From:    &mail.Address{Address: "news@h.example"}, Subject: "s", Text: text, HTML: "<p>" + text + "</p>",
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			raw, err := cm.Compose(nil, mailer.Personal{Email: "a@example.com", Name: name})
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(raw), "\r\n") {
				if len(line) > 76 && i > 20 {
					t.Errorf("col %d name %q: body line %d is %d octets", col, name, i, len(line))
				}
			}
			want := strings.ReplaceAll(strings.ReplaceAll(text, mk.Of(mailer.Name), name), "\n", "\r\n")
			if got := parse(t, raw).text; got != want {
				t.Errorf("col %d name %q:\n got %q\nwant %q", col, name, got, want)
			}
		}
	}
}

func TestCampaignMessageRefusesBadFields(t *testing.T) {
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{From: &mail.Address{Address: "news@h.example"}, Subject: "s", Text: "t", HTML: "h"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []mailer.Personal{
		{Email: "a@example.com\r\nBcc: b@example.com"},
		{Email: "a@example.com, b@example.com"},
		{Email: "nobody"},
		{Email: "a@example.com", Unsubscribe: "tok>\r\nX: y"},
	} {
		if _, err := cm.Compose(nil, p); err == nil {
			t.Errorf("Compose(%+v) succeeded", p)
		}
	}
}

func BenchmarkCampaignCompose(b *testing.B) {
	body := strings.Repeat("A paragraph of the campaign, about the harbour and the town. ", 100)
	mk := mailer.NewMarkers()
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: "s",
		Text: "Hi " + mk.Of(mailer.Name) + "\n" + body + "\n" + mk.Of(mailer.Unsubscribe),
		HTML: "<p>Hi " + mk.Of(mailer.Name) + "</p><p>" + body + "</p><a href=\"x/" + mk.Of(mailer.Unsubscribe) + "\">u</a>",
	})
	if err != nil {
		b.Fatal(err)
	}
	p := mailer.Personal{Email: "reader@example.com", Name: "Ann Reader", Unsubscribe: "AAAAAAAAAAoAAAAAAtIZiSc98AkLR25Qr6karw", Preferences: "x"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cm.Compose(nil, p); err != nil {
			b.Fatal(err)
		}
	}
}
