package deliverability

import (
	"context"
	"net"
	"testing"
)

// zoneDNS answers TXT from a map and every address question with one
// address; it knows no MX.
type zoneDNS map[string][]string

func (z zoneDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := z[name]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (z zoneDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return []*net.MX{{Host: "mx." + name, Pref: 10}}, nil
}

func (z zoneDNS) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.ParseIP("192.0.2.25")}}, nil
}

// FuzzSPF feeds any SPF record, and an include it may name, to the
// checks: they must not panic or loop, whatever the record says.
func FuzzSPF(f *testing.F) {
	for _, seed := range []string{
		"v=spf1 include:inc.test ~all",
		"v=spf1 a/24//64 mx:relay.test/16 ip6:2001:db8::/32 -all",
		"v=spf1 redirect=example.com",
		"v=spf1 exists:%{i}.spf.test ptr ?all exp=explain.test",
		"v=spf1 ip4:192.0.2.0/33 a:/ +",
	} {
		f.Add(seed, "v=spf1 include:example.com")
	}
	f.Fuzz(func(t *testing.T, rec, inc string) {
		z := zoneDNS{"example.com": {rec}, "inc.test": {inc}}
		rep := Check(context.Background(), z, Config{Domains: []string{"example.com"}, Relay: "smtp.relay.test"})
		if len(rep.Findings) == 0 || rep.Findings[0].Check != "SPF" || rep.Findings[0].Detail == "" {
			t.Fatalf("findings %+v", rep.Findings)
		}
	})
}
