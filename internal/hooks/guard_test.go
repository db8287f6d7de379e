package hooks

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// The decision only: no address here is dialled.
func TestGuardAllow(t *testing.T) {
	for _, tc := range []struct {
		ip           string
		strict, open bool
	}{
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"192.168.0.10", false, true},
		{"169.254.169.254", false, true}, // cloud metadata
		{"100.64.0.1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"fd00::1", false, true},
		{"0.0.0.0", false, true},
		{"8.8.8.8", true, true},
		{"2606:4700:4700::1111", true, true},
	} {
		ip := netip.MustParseAddr(tc.ip)
		if got := (Guard{}).Allow(ip) == nil; got != tc.strict {
			t.Errorf("Guard{}.Allow(%s) allowed = %v, want %v", tc.ip, got, tc.strict)
		}
		if got := (Guard{AllowPrivate: true}).Allow(ip) == nil; got != tc.open {
			t.Errorf("Guard{AllowPrivate}.Allow(%s) allowed = %v, want %v", tc.ip, got, tc.open)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := f[host]; ok {
		return ips, nil
	}
	return nil, errors.New("no such host")
}

func TestGuardCheckURL(t *testing.T) {
	r := fakeResolver{
		"hooks.example.com": {netip.MustParseAddr("93.184.215.14")},
		"rebind.example":    {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.5")},
		"mapped.example":    {netip.MustParseAddr("::ffff:127.0.0.1")},
	}
	for _, tc := range []struct{ url, want string }{
		{"https://hooks.example.com/bulletin", ""},
		{"http://93.184.215.14:8080/x", ""},
		{"ftp://hooks.example.com/", "http:// or https://"},
		{"hooks.example.com/x", "http:// or https://"},
		{"https://user:pw@hooks.example.com/", "user name or password"},
		{"http://127.0.0.1:9000/", "environment variable BULLETIN_ALLOW_PRIVATE_FEEDS=1 (restart it"},
		{"http://[::ffff:127.0.0.1]/", "127.0.0.1 is a loopback"},
		{"http://mapped.example/", "mapped.example (127.0.0.1) is"},
		{"http://[::1]/", "private or reserved"},
		{"http://rebind.example/", "rebind.example (10.0.0.5)"},
		{"http://nowhere.example/", "cannot be resolved"},
	} {
		got := Guard{}.CheckURL(context.Background(), r, tc.url)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckURL(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
	if got := (Guard{AllowPrivate: true}).CheckURL(context.Background(), r, "http://127.0.0.1:9000/"); got != "" {
		t.Errorf("with private targets allowed, CheckURL(loopback) = %q, want ok", got)
	}
}

// The client refuses a loopback receiver at connect time unless private
// targets are allowed, whatever the URL was checked against.
func TestClientRefusesPrivateAtDial(t *testing.T) {
	h := newHarness(t)
	r := newReceiver(t, 200)
	e := h.endpoint(t, r.URL, SubscriberCreated)
	h.d.Client = NewClient(Guard{})
	h.emit(t, SubscriberCreated, nil)
	h.round(t)
	if n := len(r.got()); n != 0 {
		t.Fatalf("receiver on loopback got %d requests, want 0", n)
	}
	log, err := h.store.Deliveries(context.Background(), e.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log[0].Error, "private or reserved") || strings.Contains(log[0].Error, r.URL) {
		t.Errorf("error %q, want the refusal without the URL", log[0].Error)
	}
}
