package articles

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// countingResolver counts the lookups asked of it and answers every one
// from a table: it never touches the network.
type countingResolver struct {
	mu      sync.Mutex
	asked   []string
	answers map[string]string
}

func (c *countingResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, host)
	if a, ok := c.answers[host]; ok {
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
	return nil, errors.New("no such host")
}

// numericHosts are hosts that browsers and the C library read as an IPv4
// address, and what the guard must say of them without a lookup.
var numericHosts = []struct{ host, want string }{
	{"2130706433", "2130706433 is the IP address 127.0.0.1 written in another form: write it as 127.0.0.1"},
	{"0177.0.0.1", "0177.0.0.1 is the IP address 127.0.0.1 written in another form: write it as 127.0.0.1"},
	{"0x7f.1", "0x7f.1 is the IP address 127.0.0.1 written in another form: write it as 127.0.0.1"},
	{"0X7F000001", "write it as 127.0.0.1"},
	{"127.1", "127.1 is the IP address 127.0.0.1 written in another form: write it as 127.0.0.1"},
	{"127.0.0.1.", "write it as 127.0.0.1"},
	{"10.0.0.010", "write it as 10.0.0.8"}, // octal, as browsers read it
	{"0xa9.254.169.254", "write it as 169.254.169.254"},
	{"0x5db8d822", "0x5db8d822 is the IP address 93.184.216.34 written in another form: write it as 93.184.216.34"}, // public, refused all the same
	{"1.2.3.4.5", "1.2.3.4.5 is neither a site's name nor an IP address"},
	{"256.0.0.1", "256.0.0.1 is neither a site's name nor an IP address"},
	{"4294967296", "is neither a site's name nor an IP address"},
	{"news.0x10", "is neither a site's name nor an IP address"},
	{"::ffff:127.1", "[::ffff:127.1] is not an IPv6 address"},
}

// A feed host written as a number in an unusual form (2130706433,
// 0177.0.0.1, 0x7f.1, 127.1) was sent to the resolver, and decided on by
// what DNS answered, or, with private feeds allowed, taken unresolved.
// It is now refused, naming the address it stands for, and nothing is
// looked up. Only the decision is made: nothing is dialled.
func TestNumericHostsAreDecidedWithoutALookup(t *testing.T) {
	for _, allowPrivate := range []bool{false, true} {
		for _, tt := range numericHosts {
			r := &countingResolver{}
			err := guard{allowPrivate: allowPrivate}.checkHost(context.Background(), r, tt.host)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("allowPrivate %v: checkHost(%s) = %v, want %q", allowPrivate, tt.host, err, tt.want)
			}
			if len(r.asked) != 0 {
				t.Errorf("allowPrivate %v: checkHost(%s) looked up %q", allowPrivate, tt.host, r.asked)
			}
		}
	}
}

// IP addresses in their usual forms, IPv4-mapped IPv6 among them, are
// decided as before, without a lookup; a name is still looked up, which
// shows the resolver counts.
func TestUsualHostsAreDecidedAsBefore(t *testing.T) {
	tests := []struct {
		host    string
		ok      bool
		lookups int
	}{
		{"127.0.0.1", false, 0},
		{"::ffff:10.0.0.1", false, 0},
		{"::ffff:127.0.0.1", false, 0},
		{"::1", false, 0},
		{"93.184.216.34", true, 0},
		{"::ffff:93.184.216.34", true, 0},
		{"2606:4700:4700::1111", true, 0},
		{"news.example", true, 1},
		{"intranet.example", false, 1},
		{"example.com.", true, 1},
		{"1news.example", true, 1},
		{"123abc", false, 1}, // a name, not a number: looked up, and unknown
	}
	r := &countingResolver{answers: map[string]string{
		"news.example": "93.184.216.34", "intranet.example": "10.0.0.7", "example.com.": "93.184.216.34", "1news.example": "93.184.216.34",
	}}
	for _, tt := range tests {
		before := len(r.asked)
		err := guard{}.checkHost(context.Background(), r, tt.host)
		if (err == nil) != tt.ok {
			t.Errorf("checkHost(%s) = %v, want allowed %v", tt.host, err, tt.ok)
		}
		if got := len(r.asked) - before; got != tt.lookups {
			t.Errorf("checkHost(%s) made %d lookups, want %d", tt.host, got, tt.lookups)
		}
	}
}

// An admin adding a feed at such a host is told, in the url field, what
// to write instead, and no feed is stored. The guard refuses private
// addresses here, and the resolver answers nothing, so even a guard that
// looked the host up would refuse it before any poll: nothing is dialled.
func TestFeedAtNumericHostIsRefusedWithItsAddress(t *testing.T) {
	r := &countingResolver{}
	feeds := newGuardedFeeds(t, r)
	for _, tt := range []struct{ url, want string }{
		{"http://2130706433/feed.xml", "2130706433 is the IP address 127.0.0.1 written in another form: write it as 127.0.0.1"},
		{"https://0177.0.0.1:8443/feed", "write it as 127.0.0.1"},
		{"0x7f.1/feed", "write it as 127.0.0.1"},
	} {
		_, _, err := feeds.Add(context.Background(), tt.url, "news", nil)
		if msg := bulletin.ErrorFields(err)["url"]; bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(msg, tt.want) {
			t.Errorf("Add(%q) = %v, url %q; want %q", tt.url, err, msg, tt.want)
		}
	}
	if len(r.asked) != 0 {
		t.Errorf("Add looked up %q", r.asked)
	}
	if got, _, _ := feeds.List(context.Background(), 0, 0); len(got) != 0 {
		t.Errorf("refused URLs added %d feeds", len(got))
	}
}
