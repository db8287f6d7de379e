package main

import (
	"net"
	"strings"
	"testing"
)

// The setup line names where other machines open setup: nowhere on a
// loopback listener (but through a proxy), this host's actual name on
// all interfaces while the public URL is a loopback one.
func TestSetupMessage(t *testing.T) {
	tcp := func(ip string, port int) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }
	for _, tc := range []struct {
		addr       net.Addr
		base, host string
		want, not  []string
	}{
		{tcp("127.0.0.1", 8080), "http://localhost:8080", "press-01",
			[]string{"open http://127.0.0.1:8080/admin/setup on this host", "other machines cannot connect to 127.0.0.1", "BULLETIN_ADDR=:8080 listens on all interfaces", "with the code C0DE"},
			[]string{"from elsewhere", "press-01"}},
		{tcp("::1", 8080), "http://[::1]:8080", "press-01",
			[]string{"open http://[::1]:8080/admin/setup on this host", "other machines cannot connect to ::1"},
			[]string{"from elsewhere"}},
		{tcp("127.0.0.1", 8080), "https://news.example.com", "press-01",
			[]string{"https://news.example.com/admin/setup through your reverse proxy with the code C0DE"},
			[]string{"from elsewhere", "cannot connect"}},
		{tcp("0.0.0.0", 8080), "http://localhost:8080", "press-01",
			[]string{"open http://localhost:8080/admin/setup on this host", "from elsewhere http://press-01:8080/admin/setup with the code C0DE"},
			[]string{"this host's name or address"}},
		{tcp("::", 9000), "http://127.0.0.1:9000", "",
			[]string{"from elsewhere this host's name or address, on port 9000"}, nil},
		{tcp("192.0.2.7", 8080), "http://localhost:8080", "press-01",
			[]string{"from elsewhere http://192.0.2.7:8080/admin/setup"}, nil},
		{tcp("0.0.0.0", 8080), "https://news.example.com/", "press-01",
			[]string{"from elsewhere https://news.example.com/admin/setup with the code C0DE (it works once)"}, []string{"press-01"}},
	} {
		got := setupMessage(tc.addr, tc.base, tc.host, "C0DE")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s, %s: %q does not say %q", tc.addr, tc.base, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s, %s: %q says %q", tc.addr, tc.base, got, n)
			}
		}
	}
}
