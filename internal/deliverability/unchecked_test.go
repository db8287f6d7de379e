package deliverability_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
)

// unreachable is a resolver on a machine with no network: every lookup
// fails at its dial, before a packet is sent.
var unreachable = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
}}

// A check whose lookups got no answer is an Error that is Unchecked: its
// record was not seen, so it is not known to be wrong. The report keeps
// the first such lookup's error to say why.
func TestLookupsWithoutAnswerAreUnchecked(t *testing.T) {
	rep := deliverability.Check(context.Background(), unreachable, config(t))
	if len(rep.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range rep.Findings {
		switch {
		case f.Check == "Gmail/Yahoo": // asks the DNS nothing
			if f.Unchecked || f.Status != deliverability.OK {
				t.Errorf("%s %s: %s, unchecked %v", f.Domain, f.Check, f.Status, f.Unchecked)
			}
		case f.Status != deliverability.Error || !f.Unchecked:
			t.Errorf("%s %s: %s, unchecked %v, want an unchecked error: %s", f.Domain, f.Check, f.Status, f.Unchecked, f.Detail)
		}
	}
	if !errors.Is(rep.LookupErr, syscall.ENETUNREACH) && !strings.Contains(rep.LookupErr.Error(), "network is unreachable") {
		t.Errorf("LookupErr = %v, want the dial's network is unreachable", rep.LookupErr)
	}
}

// A record that is not there, or wrong, is checked: a finding of it is
// never Unchecked, also in a run where another lookup got no answer (the
// bounce domain's MX, here, which alone is Unchecked).
func TestRecordsFoundWrongAreChecked(t *testing.T) {
	z := zone(t)
	z["dmarc"] = `_dmarc.example.com. 300 IN TXT "v=DMARC1; p=quarantine"`
	z["dmarc2"] = `_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject"`
	delete(z, "spf")
	var records []string
	for _, r := range z {
		records = append(records, r)
	}
	srv := dnstest.Serve(t, records...)
	res := &failingMX{Resolver: srv.Resolver(), name: "bounces.example.com"}
	rep := deliverability.Check(context.Background(), res, config(t))
	got := map[string]deliverability.Finding{}
	for _, f := range rep.Findings {
		got[f.Domain+" "+f.Check] = f
		if f.Unchecked != (f.Domain+" "+f.Check == "bounces.example.com MX") {
			t.Errorf("%s %s: unchecked %v: %s", f.Domain, f.Check, f.Unchecked, f.Detail)
		}
	}
	if f := got["example.com SPF"]; f.Status != deliverability.Missing {
		t.Errorf("SPF: %s, want missing", f.Status)
	}
	if f := got["example.com DMARC"]; f.Status != deliverability.Error {
		t.Errorf("DMARC with two records: %s, want error", f.Status)
	}
	if f := got["bounces.example.com MX"]; f.Status != deliverability.Error {
		t.Errorf("MX of a lookup that failed: %s, want error", f.Status)
	}
	if rep.LookupErr == nil || !strings.Contains(rep.LookupErr.Error(), "i/o timeout") {
		t.Errorf("LookupErr = %v, want the MX lookup's timeout", rep.LookupErr)
	}
}

// failingMX is a Resolver whose MX lookup of name times out.
type failingMX struct {
	*net.Resolver
	name string
}

func (r *failingMX) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if strings.TrimSuffix(name, ".") == r.name {
		return nil, &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true}
	}
	return r.Resolver.LookupMX(ctx, name)
}
