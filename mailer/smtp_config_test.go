package mailer

import (
	"bufio"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url     string
		want    SMTPConfig
		wantErr string // part of the error
	}{
		{url: "smtp://relay.example.com", want: SMTPConfig{Host: "relay.example.com", Port: 25, TLS: TLSAuto}},
		{url: "smtp://relay.example.com?tls=none", want: SMTPConfig{Host: "relay.example.com", Port: 25, TLS: TLSNone}},
		{url: "smtp://relay.example.com?tls=starttls", want: SMTPConfig{Host: "relay.example.com", Port: 587, TLS: TLSStartTLS}},
		{url: "smtp://relay.example.com?tls=tls", want: SMTPConfig{Host: "relay.example.com", Port: 465, TLS: TLSImplicit}},
		{url: "smtp://relay.example.com:465", want: SMTPConfig{Host: "relay.example.com", Port: 465, TLS: TLSImplicit}},
		{url: "smtps://relay.example.com", want: SMTPConfig{Host: "relay.example.com", Port: 465, TLS: TLSImplicit}},
		{url: "smtp://relay.example.com:2525?tls=auto", want: SMTPConfig{Host: "relay.example.com", Port: 2525, TLS: TLSAuto}},
		{
			url:  "smtp://apikey:s%40cr%3At@smtp.example.com:587?tls=starttls",
			want: SMTPConfig{Host: "smtp.example.com", Port: 587, TLS: TLSStartTLS, Username: "apikey", Password: "s@cr:t"},
		},
		{url: "smtp://[::1]:1025/", want: SMTPConfig{Host: "::1", Port: 1025, TLS: TLSAuto}},
		{url: "http://relay.example.com", wantErr: `scheme "http"`},
		{url: "relay.example.com:25", wantErr: `scheme "relay.example.com"`},
		{url: "", wantErr: `scheme ""`},
		{url: "smtp:relay", wantErr: "smtp url: missing host: write smtp://host:port, like smtp://relay.example.com:587"},
		{url: "smtp://:25", wantErr: "smtp url: missing host: write smtp://host:port, like smtp://relay.example.com:587"},
		{url: "smtp://relay.example.com:0", wantErr: `port "0"`},
		{url: "smtp://relay.example.com:70000", wantErr: `port "70000"`},
		{url: "smtp://relay.example.com:smtp", wantErr: "invalid port"},
		{url: "smtp://relay.example.com?tls=yes", wantErr: `tls="yes"`},
		{url: "smtp://relay.example.com:2525?tls=none&chunking=off", want: SMTPConfig{Host: "relay.example.com", Port: 2525, TLS: TLSNone, NoChunking: true}},
		{url: "smtp://relay.example.com?chunking=on", want: SMTPConfig{Host: "relay.example.com", Port: 25, TLS: TLSAuto}},
		{url: "smtp://relay.example.com?chunking=no", wantErr: `chunking="no", want on or off`},
		{url: "smtp://relay.example.com?tsl=none", wantErr: `unknown parameter "tsl"`},
		{url: "smtps://relay.example.com?tls=none", wantErr: "smtps:// with tls=none"},
		// A path is refused with the URL to write instead: the user's
		// own, less the path, with no user name or password.
		{url: "smtp://relay.example.com/mail", wantErr: `smtp url: unexpected path "/mail": give only the server, like smtp://relay.example.com`},
		{url: "smtp://relay.example.com/mail/", wantErr: `smtp url: unexpected path "/mail/": give only the server, like smtp://relay.example.com`},
		{url: "smtps://relay.example.com:2465/mail?tls=tls", wantErr: `smtp url: unexpected path "/mail": give only the server, like smtps://relay.example.com:2465?tls=tls`},
		{url: "smtp://apikey:pa ss@relay.example.com:587/mail", wantErr: `smtp url: unexpected path "/mail": give only the server, like smtp://user:pass@relay.example.com:587`},
		{url: "smtp://[::1]:1025/mail", wantErr: `smtp url: unexpected path "/mail": give only the server, like smtp://[::1]:1025`},
		// A parameter Bulletin does not know may be a password put in the
		// wrong place: the example leaves it out, keeping the known ones.
		{url: "smtp://relay.example.com/mail?password=hunter2&chunking=off", wantErr: `smtp url: unexpected path "/mail": give only the server, like smtp://relay.example.com?chunking=off`},
		// What url.Parse refuses is said with what to write.
		{url: "smtp://relay .example.com", wantErr: `smtp url: invalid character " " in host name: write smtp://host:port or smtps://host:port, like smtp://relay.example.com:587`},
		{url: "smtp://relay.example.com/%zz", wantErr: `smtp url: invalid URL escape "%zz": write smtp://host:port or smtps://host:port, like smtp://relay.example.com:587`},
		{url: "smtp://user:pa ss@relay.example.com:bad", wantErr: "smtp url:"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := ParseSMTPURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "pa ss") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// However the URL is broken, the error shows no part of the user name or
// password: it goes to the terminal, logs and CI output.
func TestParseSMTPURLErrorsHideUserinfo(t *testing.T) {
	const user, pass = "mailUSERx7", "hunter2SECRETq9"
	for _, raw := range []string{
		"smtp://" + user + ":" + pass + "@relay.example.com:bad",       // bad port
		"smtp://" + user + ":" + pass + "@relay.example.com:0",         // port out of range
		"smtp://" + user + ":" + pass + "%zz@relay.example.com:587",    // bad escape in the password
		"smtp://" + user + ":" + pass + "/x@relay.example.com:587",     // unescaped / ends the host early
		"smtp://" + user + ":" + pass + "#x@relay.example.com:587",     // unescaped # starts a fragment
		"smtp://" + user + ":" + pass + "?x@relay.example.com:587",     // unescaped ? starts the query
		"smtp://" + user + ":123/" + pass + "@relay.example.com:587",   // parses, with the password as a path
		"smtp://" + user + ":" + pass + "@relay.example.com?tls=maybe", // bad parameter
		"smtp://" + user + ":" + pass + "@relay.example.com/mail",      // a path
		"smtp://" + user + ":" + pass + "@",                            // no host
		"http://" + user + ":" + pass + "@relay.example.com",           // wrong scheme
		"smpt://" + user + ":" + pass + "@relay.example.com",           // misspelt scheme
		user + ":" + pass + "@relay.example.com:587",                   // no scheme: the user name looks like one
		"smtp:" + user + ":" + pass + "@relay.example.com",             // no //
		"smtp://" + user + ":" + pass + " x@relay.example.com",         // a space
		"smtp://" + user + ":" + pass + "@relay .example.com",          // a space in the host
	} {
		_, err := ParseSMTPURL(raw)
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		for _, secret := range []string{user, pass, "USER", "SECRET", "hunter2", "x7", "q9"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error %q shows %q", raw, err, secret)
			}
		}
		if !strings.HasPrefix(err.Error(), "smtp url: ") {
			t.Errorf("%s: error %q, want it to start with \"smtp url: \"", raw, err)
		}
	}
}

func TestWriteDotted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ".\r\n"},
		{"a\r\nb\r\n", "a\r\nb\r\n.\r\n"},
		{"a\nb", "a\r\nb\r\n.\r\n"},
		{".\r\n.x\r\nx.\r\n", "..\r\n..x\r\nx.\r\n.\r\n"},
		{"\r\n\r\n", "\r\n\r\n.\r\n"},
		{".", "..\r\n.\r\n"},
		{"a\r", "a\r\n.\r\n"},
		{"a\r\n.b\n..c\r\nd.\r\n", "a\r\n..b\r\n...c\r\nd.\r\n.\r\n"},
		{"\n.\n", "\r\n..\r\n.\r\n"},
		{"a\rb\r\n", "a\rb\r\n.\r\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		w := bufio.NewWriter(&b)
		writeDotted(w, []byte(tt.in))
		w.Flush()
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("writeDotted(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// A composed campaign message takes the fast dot-stuffing path, which
// must write what the general one does.
func TestWriteCRLFDottedMatchesComposed(t *testing.T) {
	text := strings.Repeat("Short line.\n.starts with a dot\nThe end. "+Markers("").Of(Name)+"\n", 30)
	cm, err := NewCampaignMessage(CampaignContent{
		From: &mail.Address{Address: "news@h.example"}, Subject: "s",
		Text: text, HTML: "<p>" + strings.Repeat("x. ", 200) + "</p>",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cm.crlf {
		t.Fatal("a composed campaign is not marked CRLF-only")
	}
	data := cm.compose(nil, Personal{Email: "a@b.example", Name: ".Dot Name", Unsubscribe: "u", Preferences: "p"})
	var fast, slow strings.Builder
	fw, sw := bufio.NewWriter(&fast), bufio.NewWriter(&slow)
	writeCRLFDotted(fw, data)
	writeDotted(sw, data)
	fw.Flush()
	sw.Flush()
	if diff := cmp.Diff(slow.String(), fast.String()); diff != "" {
		t.Errorf("(-general +fast):\n%s", diff)
	}
	if !strings.Contains(fast.String(), "\r\n..") {
		t.Error("no line was dot-stuffed; the test text should have some")
	}
}
