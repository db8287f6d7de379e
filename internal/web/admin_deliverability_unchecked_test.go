package web

import (
	"context"
	"html"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// mxTimesOut is fakeDNS but for the MX of name, whose lookup times out.
type mxTimesOut struct {
	fakeDNS
	name string
}

func (r mxTimesOut) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if name == r.name {
		return nil, &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true}
	}
	return r.fakeDNS.LookupMX(ctx, name)
}

// A check whose lookup got no answer showed as an error, a record found
// wrong. It shows as not checked, with the lookup that failed and why,
// and the page says apart that some records were not checked; the
// records found in place stay ok beside it.
func TestDeliverabilityPageShowsUncheckedFindings(t *testing.T) {
	spf := []string{"v=spf1 a:smtp.relay.test -all"}
	dns := mxTimesOut{name: "bounces.example.com", fakeDNS: fakeDNS{
		txt: map[string][]string{"example.com": spf, "bounces.example.com": spf, "_dmarc.example.com": {"v=DMARC1; p=quarantine"}},
		ip:  map[string][]net.IPAddr{"smtp.relay.test": {{IP: net.ParseIP("192.0.2.25")}}},
	}}
	_, a := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) {
		s.Deliverability = DeliverabilityDeps{Resolver: dns, Config: deliverability.Config{
			Domains:      []string{"example.com"},
			Relay:        "smtp.relay.test",
			BounceDomain: "bounces.example.com",
			BounceHost:   "news.example.com",
		}}
	})
	a.login("correct horse battery")
	resp, body := a.get("/admin/deliverability")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	row := regexp.MustCompile(`<span class="badge st-unchecked">not checked</span></td>\s*<td data-label="Check">MX</td>\s*<td data-label="Domain">bounces.example.com</td>\s*<td>could not look up the MX of bounces.example.com: [^<]*i/o timeout`)
	if !row.MatchString(body) {
		t.Errorf("the MX whose lookup timed out is not shown as not checked, with why:\n%s", body)
	}
	for status, n := range map[string]int{"ok": 3, "missing": 1, "error": 0, "unchecked": 1} {
		if got := strings.Count(body, `class="badge st-`+status+`"`); got != n {
			t.Errorf("%d findings %s, want %d:\n%s", got, status, n, body)
		}
	}
	if text := html.UnescapeString(textOf(body)); !strings.Contains(text, "1 check of 6 could not be made: the DNS lookups they need got no answer (timed out), so those records were not checked.") {
		t.Errorf("the page does not say a check could not be made, and why:\n%s", text)
	}

	// Nothing answers: no record is said wrong, only not checked.
	a = deliverabilityServer(t, fakeDNS{block: true}, 300*time.Millisecond)
	a.login("correct horse battery")
	_, body = a.get("/admin/deliverability")
	if n := strings.Count(body, `class="badge st-unchecked"`); n != 4 || strings.Contains(body, `class="badge st-error"`) {
		t.Errorf("%d findings not checked, want 4 and no error:\n%s", n, body)
	}
	if text := html.UnescapeString(textOf(body)); !strings.Contains(text, "4 checks of 6 could not be made") {
		t.Errorf("the page does not say 4 checks could not be made:\n%s", text)
	}
}
