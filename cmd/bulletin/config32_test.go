package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// BULLETIN_TRUSTED_PROXIES (or --trusted-proxies) names the reverse
// proxies besides loopback whose X-Forwarded-For serve believes: single
// addresses and CIDR ranges, spaces and empty entries ignored, a mapped
// IPv4 address taken as IPv4 (clientIP compares unmapped addresses).
func TestConfigTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want []string
	}{
		{"", nil, nil},
		{"172.31.80.1", nil, []string{"172.31.80.1/32"}},
		{" 172.31.80.1 , 10.1.2.3/8,,fd00:1::/64, ::ffff:192.0.2.1 ", nil,
			[]string{"172.31.80.1/32", "10.0.0.0/8", "fd00:1::/64", "192.0.2.1/32"}},
		{"", []string{"--trusted-proxies", "192.0.2.0/24"}, []string{"192.0.2.0/24"}},
		{"10.0.0.1", []string{"--trusted-proxies=192.0.2.7"}, []string{"192.0.2.7/32"}},
	} {
		c, err := parseConfig(map[string]string{"BULLETIN_TRUSTED_PROXIES": tc.env}, tc.args...)
		if err != nil {
			t.Errorf("BULLETIN_TRUSTED_PROXIES %q %v: %v", tc.env, tc.args, err)
			continue
		}
		var got []string
		for _, p := range c.TrustedProxies {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("BULLETIN_TRUSTED_PROXIES %q %v (-want +got):\n%s", tc.env, tc.args, diff)
		}
	}
}

// A bad entry stops start-up with exit status 2, naming the setting and
// the entry, rather than serve starting with a proxy it does not trust
// (every client one address again) or trusting every peer.
func TestConfigTrustedProxiesRefusesABadEntry(t *testing.T) {
	for _, tc := range []struct{ value, entry string }{
		{"172.31.80.1, proxy.internal", "proxy.internal"},
		{"172.31.80.256", "172.31.80.256"},
		{"10.0.0.0/33", "10.0.0.0/33"},
		{"10.0.0.0/", "10.0.0.0/"},
		{"172.31.80.1:8080", "172.31.80.1:8080"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"172.31.80.1,::/0", "::/0"},
	} {
		_, err := parseConfig(map[string]string{"BULLETIN_TRUSTED_PROXIES": tc.value})
		if err == nil {
			t.Errorf("BULLETIN_TRUSTED_PROXIES %q was taken, want it refused", tc.value)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "BULLETIN_TRUSTED_PROXIES") || !strings.Contains(msg, fmt.Sprintf("%q", tc.entry)) {
			t.Errorf("BULLETIN_TRUSTED_PROXIES %q: err = %q, want it to name the setting and the entry %q", tc.value, msg, tc.entry)
		}
		if _, ok := err.(usageError); !ok {
			t.Errorf("BULLETIN_TRUSTED_PROXIES %q: %T is not a usage error (exit 2)", tc.value, err)
		}
	}
}

// BULLETIN_BASE_URL with a path would half work: mail links would carry
// the path, while every route, redirect and form is at the root of the
// host. It stops start-up saying to give Bulletin a host of its own; a
// lone trailing slash is no path.
func TestConfigBaseURLWithAPathIsRefused(t *testing.T) {
	for _, bad := range []string{"http://example.com/news", "https://example.com/news/", "https://example.com:8443/a/b/"} {
		_, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": bad})
		if err == nil {
			t.Errorf("BULLETIN_BASE_URL %q was taken, want it refused", bad)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "BULLETIN_BASE_URL") || !strings.Contains(msg, "leave out the path") ||
			!strings.Contains(msg, "host name of its own") {
			t.Errorf("BULLETIN_BASE_URL %q: err = %q, want it to say to leave out the path and use a host of its own", bad, msg)
		}
		if _, ok := err.(usageError); !ok {
			t.Errorf("BULLETIN_BASE_URL %q: %T is not a usage error (exit 2)", bad, err)
		}
	}
	for in, want := range map[string]string{"https://news.example.com/": "https://news.example.com", "http://127.0.0.1:8080": "http://127.0.0.1:8080"} {
		if c, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": in}); err != nil || c.BaseURL != want {
			t.Errorf("BULLETIN_BASE_URL %q = %q, %v; want %q", in, c.BaseURL, err, want)
		}
	}
}

// serve gives the web server the trusted proxies: a request whose
// X-Forwarded-For ends in one is logged with the address before it, the
// client's. (The test can only connect from loopback, always trusted, so
// the trusted entry is the hop after the client's.)
func TestServeTrustsTheProxiesGiven(t *testing.T) {
	for _, tc := range []struct{ trusted, want string }{
		{"172.31.80.1", "remote=198.51.100.1"},
		{"", "remote=172.31.80.1"},
	} {
		m, _, stderr := testMain(t, map[string]string{"BULLETIN_TRUSTED_PROXIES": tc.trusted})
		base, stop := startServe(t, m)
		get(t, base+"/api/v1/lists", "X-Forwarded-For", "198.51.100.1, 172.31.80.1")
		if code := stop(); code != 0 {
			t.Fatalf("serve exited %d; stderr:\n%s", code, stderr)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("trusted %q: the request log lacks %s:\n%s", tc.trusted, tc.want, stderr)
		}
		if tc.trusted != "" && !strings.Contains(stderr.String(), "trusted_proxies=loopback,"+tc.trusted) {
			t.Errorf("trusted %q: the start-up line does not name it:\n%s", tc.trusted, stderr)
		}
	}
}
