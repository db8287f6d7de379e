package dkim_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
)

const msg = "From: =?utf-8?q?Caf=C3=A9_News?= <news@Harbour.test>\r\n" +
	"To: reader@example.com\r\n" +
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_dem_Hafen?=\r\n" +
	"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n" +
	"Message-Id: <1@harbour.test>\r\n" +
	"Mime-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"List-Id: News <news.harbour.test>\r\n" +
	"List-Unsubscribe: <http://harbour.test/unsubscribe/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" +
	" aaaaaaaaaaaaaaaaaaaaaa>\r\n" +
	"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" +
	"\r\n" +
	"Grüße, 8-bit body.\r\n.a line that starts with a dot\r\n"

func TestSignDualVerifies(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	s := dkim.NewSigner([]dkim.Key{rsa, ed}, nil)
	signed, err := s.Sign([]byte("prefix:"), []byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	signed, ok := bytes.CutPrefix(signed, []byte("prefix:"))
	if !ok || !bytes.HasSuffix(signed, []byte(msg)) {
		t.Fatalf("Sign did not append signatures then the message to dst:\n%s", signed)
	}
	vs := dkimtest.Verify(t, signed, "harbour.test", rsa, ed)
	var got []string
	for _, v := range vs {
		if v.Err != nil {
			t.Errorf("signature failed: %v", v.Err)
		}
		got = append(got, strings.Join(v.HeaderKeys, ":"))
	}
	// Each field is named once more than msg has it; Reply-To, which it
	// lacks, once.
	want := "From:From:To:To:Subject:Subject:Date:Date:Message-ID:Message-ID:MIME-Version:MIME-Version:" +
		"Content-Type:Content-Type:List-Id:List-Id:List-Unsubscribe:List-Unsubscribe:" +
		"List-Unsubscribe-Post:List-Unsubscribe-Post:Reply-To"
	if diff := cmp.Diff([]string{want, want}, got); diff != "" {
		t.Errorf("signed fields (-want +got):\n%s", diff)
	}
	head := string(signed[:bytes.Index(signed, []byte("\r\n\r\n"))])
	for _, a := range []string{"a=rsa-sha256", "a=ed25519-sha256"} {
		if !strings.Contains(head, a) {
			t.Errorf("no %s signature in\n%s", a, head)
		}
	}
	if !strings.Contains(head, "c=relaxed/relaxed") {
		t.Errorf("not relaxed/relaxed:\n%s", head)
	}
}

func TestSignedMessageChangedFails(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	signed, err := dkim.NewSigner([]dkim.Key{rsa, ed}, nil).Sign(nil, []byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string][2]string{
		"body":              {"8-bit body", "8-bit bodies"},
		"subject":           {"Gr=C3=BC=C3=9Fe", "Hallo"},
		"list-unsubscribe":  {"unsubscribe/a", "unsubscribe/b"},
		"one-click":         {"List-Unsubscribe=One-Click", "List-Unsubscribe=Two-Clicks"},
		"second from added": {"To: reader", "From: evil@example.com\r\nTo: reader"},
	} {
		t.Run(name, func(t *testing.T) {
			changed := bytes.Replace(signed, []byte(change[0]), []byte(change[1]), 1)
			if bytes.Equal(changed, signed) {
				t.Fatalf("%q not in the message", change[0])
			}
			for _, v := range dkimtest.Verify(t, changed, "harbour.test", rsa, ed) {
				if v.Err == nil {
					t.Errorf("%s signature still verifies after the %s changed", v.Domain, name)
				}
			}
		})
	}
}

func TestSignNormalisesLineEnds(t *testing.T) {
	rsa, _ := dkimtest.Keys(t)
	lf := strings.ReplaceAll(msg, "\r\n", "\n")
	signed, err := dkim.NewSigner([]dkim.Key{rsa}, nil).Sign(nil, []byte(lf[:len(lf)-1])) // no final line end either
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(signed, []byte("\n")) != bytes.Count(signed, []byte("\r\n")) || !bytes.HasSuffix(signed, []byte("\r\n")) {
		t.Errorf("signed message has bare line ends:\n%q", signed)
	}
	dkimtest.RequireValid(t, signed, "harbour.test", 1, rsa)
}

func TestSignPicksKeysByFromDomain(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	s := dkim.NewSigner([]dkim.Key{rsa}, map[string][]dkim.Key{"Other.test.": {ed}})
	other := strings.Replace(msg, "news@Harbour.test", "editor@other.test", 1)
	signed, err := s.Sign(nil, []byte(other))
	if err != nil {
		t.Fatal(err)
	}
	vs := dkimtest.Verify(t, signed, "other.test", ed)
	if len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "other.test" || !strings.Contains(string(signed), "s=ed1") {
		t.Errorf("other.test's mail not signed by its own key alone: %d signatures\n%s", len(vs), signed[:400])
	}
	if dkim.NewSigner(nil, nil) != nil {
		t.Errorf("a Signer without keys is not nil")
	}
}

func TestGenerateLoadAndRecord(t *testing.T) {
	dir := t.TempDir() + "/dkim"
	for _, typ := range []string{dkim.Ed25519, dkim.RSA} {
		k, err := dkim.Generate(dir, "s1", typ)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(dkim.Path(dir, "s1", typ))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s key mode %v, want 0600", typ, st.Mode().Perm())
		}
		if _, err := dkim.Generate(dir, "s1", typ); !errors.Is(err, fs.ErrExist) {
			t.Errorf("second Generate of %s: %v, want a refusal to overwrite", typ, err)
		}
		loaded, err := dkim.Load(dir, "s1", typ)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.RecordValue() != k.RecordValue() {
			t.Errorf("%s key loaded back has another public key", typ)
		}
		rec := k.Record("Harbour.test.")
		if !strings.HasPrefix(rec, "s1._domainkey.Harbour.test. IN TXT ( \"v=DKIM1; k="+typ+"; p=") {
			t.Errorf("record %q", rec)
		}
		parts := dkim.SplitTXT(k.RecordValue())
		for _, p := range parts {
			if len(p) > 255 {
				t.Errorf("TXT string of %d octets", len(p))
			}
		}
		if strings.Join(parts, "") != k.RecordValue() || (typ == dkim.RSA) != (len(parts) > 1) {
			t.Errorf("%s value split into %d strings", typ, len(parts))
		}
		if strings.Contains(k.String()+loaded.GoString(), "PRIVATE") || k.String() != typ+" key s1" {
			t.Errorf("key prints as %q", k.String())
		}
	}
	if _, err := dkim.Load(dir, "ed", dkim.Ed25519); err == nil || !strings.Contains(err.Error(), "dkim keygen --selector ed --type ed25519") {
		t.Errorf("missing key: %v", err)
	}
	var missing *dkim.MissingKeyError
	if _, err := dkim.Load(dir, "ed", dkim.Ed25519); !errors.As(err, &missing) {
		t.Errorf("missing key is not a MissingKeyError: %v", err)
	}
	os.Rename(dkim.Path(dir, "s1", dkim.RSA), dkim.Path(dir, "x", dkim.Ed25519))
	if _, err := dkim.Load(dir, "x", dkim.Ed25519); err == nil || !strings.Contains(err.Error(), "holds an RSA key") {
		t.Errorf("RSA key under the Ed25519 name: %v", err)
	}
	for _, bad := range []string{"", "-s", "a.b", "../x", strings.Repeat("a", 64)} {
		if _, err := dkim.Generate(dir, bad, dkim.RSA); err == nil {
			t.Errorf("selector %q accepted", bad)
		}
	}
}

// Keys for a domain live in DIR/DOMAIN/; LoadDomains reads each domain's,
// and the signer signs a message with the keys of its From domain alone
// (d= that domain). Mail of a domain without a key goes unsigned, with
// one warning per domain however many messages it sends.
func TestDomainKeysSignTheirDomainAndWarnOncePerUnknownDomain(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	dir := t.TempDir()
	for _, c := range []struct{ domain, sel, typ string }{{"harbour.test", "rsa1", dkim.RSA}, {"Other.test", "ed1", dkim.Ed25519}} {
		buf, err := os.ReadFile(dkim.Path(dkimtest.Dir(t), c.sel, c.typ))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dkim.DomainPath(dir, c.domain, c.sel, c.typ)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dkim.DomainPath(dir, c.domain, c.sel, c.typ), buf, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(dir+"/other.test/README", []byte("notes"), 0o600) // not a key: left alone
	os.WriteFile(dir+"/top.rsa.pem", []byte("not a domain's key"), 0o600)
	byDomain, err := dkim.LoadDomains(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for d, ks := range byDomain {
		got[d] = fmt.Sprint(ks)
	}
	if diff := cmp.Diff(map[string]string{"harbour.test": "[rsa key rsa1]", "other.test": "[ed25519 key ed1]"}, got); diff != "" {
		t.Errorf("LoadDomains (-want +got):\n%s", diff)
	}

	var logs bytes.Buffer
	s := dkim.NewSigner(nil, byDomain)
	s.Log = slog.New(slog.NewTextHandler(&logs, nil))
	for _, c := range []struct {
		domain string
		key    dkim.Key
	}{{"harbour.test", rsa}, {"other.test", ed}} {
		signed, err := s.Sign(nil, []byte(strings.Replace(msg, "news@Harbour.test", "desk@"+c.domain, 1)))
		if err != nil {
			t.Fatal(err)
		}
		dkimtest.RequireValid(t, signed, c.domain, 1, c.key)
	}
	for _, d := range []string{"nokey.test", "nokey.test", "nokey.test", "sub.harbour.test", "sub.harbour.test"} {
		m := strings.Replace(msg, "news@Harbour.test", "desk@"+d, 1)
		signed, err := s.Sign(nil, []byte(m))
		if err != nil || string(signed) != m {
			t.Errorf("mail of %s without a key: %v, signed %t", d, err, string(signed) != m)
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "nokey.test") || !strings.Contains(lines[1], "sub.harbour.test") ||
		!strings.Contains(lines[0], "bulletin dkim keygen --domain nokey.test") || !strings.Contains(lines[0], "level=WARN") {
		t.Errorf("want one warning per domain without a key, got:\n%s", logs.String())
	}

	os.WriteFile(dkim.DomainPath(dir, "harbour.test", "bad", dkim.RSA), []byte("junk"), 0o600)
	if _, err := dkim.LoadDomains(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "harbour.test", "bad.rsa.pem")) {
		t.Errorf("a broken key in a domain folder: %v", err)
	}
	if m, err := dkim.LoadDomains(filepath.Join(dir, "none")); err != nil || len(m) != 0 {
		t.Errorf("LoadDomains of a missing folder = %v, %v; want nothing", m, err)
	}
}
