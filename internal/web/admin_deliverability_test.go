package web

import (
	"context"
	"html"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// fakeDNS answers from maps; a name it does not know does not exist.
// With block set it answers nothing until the question's context ends.
type fakeDNS struct {
	txt   map[string][]string
	ip    map[string][]net.IPAddr
	mx    map[string][]*net.MX
	block bool
}

func (f fakeDNS) answer(ctx context.Context, name string, ok bool) error {
	if f.block {
		<-ctx.Done()
		return &net.DNSError{Err: ctx.Err().Error(), Name: name, IsTimeout: true}
	}
	if !ok {
		return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return nil
}

func (f fakeDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	v, ok := f.txt[name]
	return v, f.answer(ctx, name, ok)
}

func (f fakeDNS) LookupIPAddr(ctx context.Context, name string) ([]net.IPAddr, error) {
	v, ok := f.ip[name]
	return v, f.answer(ctx, name, ok)
}

func (f fakeDNS) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	v, ok := f.mx[name]
	return v, f.answer(ctx, name, ok)
}

var _ deliverability.Resolver = fakeDNS{}

func deliverabilityServer(t *testing.T, dns fakeDNS, timeout time.Duration) *adminClient {
	_, a := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) {
		s.Deliverability = DeliverabilityDeps{
			Resolver: dns,
			Timeout:  timeout,
			Config: deliverability.Config{
				Domains:      []string{"example.com"},
				Relay:        "smtp.relay.test",
				BounceDomain: "bounces.example.com",
				BounceHost:   "news.example.com",
			},
		}
	})
	return a
}

// The page shows each finding with its status and the record to publish,
// under the admin policy and with no script.
func TestDeliverabilityPageShowsFindings(t *testing.T) {
	a := deliverabilityServer(t, fakeDNS{
		txt: map[string][]string{"example.com": {"v=spf1 a:smtp.relay.test -all"}},
		ip:  map[string][]net.IPAddr{"smtp.relay.test": {{IP: net.ParseIP("192.0.2.25")}}},
	}, 0)
	if resp, _ := a.get("/admin/deliverability"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("without a session: %d, want a redirect to the login", resp.StatusCode)
	}
	a.login("correct horse battery")
	resp, body := a.get("/admin/deliverability")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != adminCSP {
		t.Errorf("Content-Security-Policy %q, want the admin one", csp)
	}
	if strings.Contains(layoutScriptFree(body), "<script") || strings.Contains(body, "onsubmit=") {
		t.Error("the page has a script")
	}
	text := html.UnescapeString(body)
	for _, want := range []string{
		`<a href="/admin/deliverability" class="on" aria-current="page">Deliverability</a>`,
		`_dmarc.example.com TXT "v=DMARC1; p=none; rua=mailto:postmaster@example.com"`,
		`bounces.example.com MX 10 news.example.com.`,
		"SPF of example.com authorises the relay smtp.relay.test",
		"Run \"bulletin dkim keygen --selector s1 --domain example.com\"",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	for status, n := range map[string]int{"ok": 1, "missing": 4, "warn": 1} {
		if got := strings.Count(body, `class="badge st-`+status+`"`); got != n {
			t.Errorf("%d findings %s, want %d:\n%s", got, status, n, body)
		}
	}
}

// A DNS server that does not answer must not hold the page past its
// timeout: it shows the checks that could not be made.
func TestDeliverabilityPageTimesOut(t *testing.T) {
	a := deliverabilityServer(t, fakeDNS{block: true}, 300*time.Millisecond)
	a.login("correct horse battery")
	start := time.Now()
	resp, body := a.get("/admin/deliverability")
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("page took %v", took)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `class="badge st-unchecked"`) {
		t.Errorf("status %d, want 200 with checks not made:\n%s", resp.StatusCode, body)
	}
}

// A list's own From domain is checked beside BULLETIN_FROM's.
func TestDeliverabilityPageChecksListFromDomains(t *testing.T) {
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Deliverability = DeliverabilityDeps{Resolver: fakeDNS{}, Config: deliverability.Config{Domains: []string{"example.com"}}}
		if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, from_address, created_at) VALUES ('quay', 'Quay', 'Quay <desk@quay.example>', ?)`, sqlite.Now()); err != nil {
			t.Fatal(err)
		}
	})
	a.login("correct horse battery")
	resp, body := a.get("/admin/deliverability")
	text := html.UnescapeString(body)
	for _, want := range []string{`_dmarc.example.com TXT`, `_dmarc.quay.example TXT`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(text, want) {
			t.Errorf("status %d; page lacks %q", resp.StatusCode, want)
		}
	}
}
