package main

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
)

// A check whose DNS lookup got no answer was printed ERROR, as a record
// found wrong is. It has a level of its own, NOT CHECKED, with the reason
// in its detail; doctor still exits 1, as the README says of lookups
// that got no answer, and a record found in place stays OK beside it.
func TestDoctorPrintsUncheckedFindingsAsNotChecked(t *testing.T) {
	env := map[string]string{
		"BULLETIN_DATA":          t.TempDir(),
		"BULLETIN_FROM":          "Harbour Gazette <news@harbour.test>",
		"BULLETIN_SMTP_URL":      "smtp://smtp.relay.test:587?tls=starttls",
		"BULLETIN_BOUNCE_DOMAIN": "bounces.harbour.test",
		"BULLETIN_BASE_URL":      "https://news.harbour.test",
	}
	srv := dnstest.Serve(t)
	run := func(res deliverability.Resolver, args ...string) (int, string, string) {
		t.Helper()
		m, stdout, stderr := testMain(t, env)
		m.Resolver = res
		code := m.Main(context.Background(), args)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := run(srv.Resolver(), "dkim", "keygen", "--selector", "s1")
	if code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	var dkimRecord string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " IN TXT ") {
			dkimRecord = line
		}
	}
	env["BULLETIN_DKIM_SELECTOR"] = "s1"
	srv.Set(t, `smtp.relay.test. 300 IN A 192.0.2.25`, dkimRecord,
		`harbour.test. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`,
		`_dmarc.harbour.test. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@harbour.test"`,
		`bounces.harbour.test. 300 IN MX 10 news.harbour.test.`,
		`bounces.harbour.test. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`,
	)

	// Every record in place but the bounce domain's MX, whose lookup
	// times out.
	code, out, errOut = run(&mxTimesOut{Resolver: srv.Resolver(), name: "bounces.harbour.test"}, "doctor")
	saidOneLine(t, []string{"doctor", "(MX lookup times out)"}, code, errOut, 1,
		"1 of 6 checks could not be made", "(timed out)")
	if want := finding("NOT CHECKED", "MX", "bounces.harbour.test") + ".*i/o timeout"; !contains(out, want) {
		t.Errorf("the MX whose lookup timed out is not NOT CHECKED with the reason:\n%s", out)
	}
	if n := strings.Count(out, "\nOK "); n != 5 {
		t.Errorf("%d findings OK, want the other 5:\n%s", n, out)
	}
	if notChecked := regexp.MustCompile(`(?m)^NOT CHECKED `); len(notChecked.FindAllString(out, -1)) != 1 {
		t.Errorf("want one NOT CHECKED finding:\n%s", out)
	}

	// No network: every check but the one that asks nothing.
	code, out, errOut = run(noNetwork, "doctor")
	saidOneLine(t, []string{"doctor", "(no network)"}, code, errOut, 1, "5 of 6 checks could not be made")
	for _, check := range [][2]string{{"SPF", "harbour.test"}, {"DKIM s1", "harbour.test"}, {"DMARC", "harbour.test"}, {"SPF", "bounces.harbour.test"}, {"MX", "bounces.harbour.test"}} {
		if want := finding("NOT CHECKED", check[0], check[1]) + ".*network is unreachable"; !contains(out, want) {
			t.Errorf("%s of %s is not NOT CHECKED with the reason:\n%s", check[0], check[1], out)
		}
	}
	if contains(out, "(?m)^ERROR ") {
		t.Errorf("a check that could not be made is printed ERROR:\n%s", out)
	}
}

// mxTimesOut is a Resolver whose MX lookup of name times out.
type mxTimesOut struct {
	*net.Resolver
	name string
}

func (r *mxTimesOut) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if strings.TrimSuffix(name, ".") == r.name {
		return nil, &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true}
	}
	return r.Resolver.LookupMX(ctx, name)
}
