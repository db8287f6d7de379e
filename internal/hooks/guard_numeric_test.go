package hooks

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

// countingResolver counts the lookups asked of it and answers none: it
// never touches the network.
type countingResolver struct{ asked []string }

func (c *countingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	c.asked = append(c.asked, host)
	return nil, nil
}

// An endpoint whose host is a number in an unusual form (2130706433,
// 0x7f.1, 127.1) went to the resolver as a name, and with private
// receivers allowed was taken unresolved; browsers and the C library read
// it as 127.0.0.1. It is refused, naming that address, and nothing is
// looked up. Only the decision is made: nothing is dialled.
func TestCheckURLDecidesNumericHostsWithoutALookup(t *testing.T) {
	for _, allowPrivate := range []bool{false, true} {
		for _, tt := range []struct{ url, want string }{
			{"http://2130706433/hook", "2130706433 is the IP address 127.0.0.1 written in another form: write it as 127.0.0.1"},
			{"https://0177.0.0.1/hook", "write it as 127.0.0.1"},
			{"http://0x7f.1:8080/hook", "write it as 127.0.0.1"},
			{"http://127.1/hook", "write it as 127.0.0.1"},
			{"https://0x5db8d822/hook", "write it as 93.184.216.34"},
			{"https://1.2.3.4.5/hook", "is neither a site's name nor an IP address"},
		} {
			r := &countingResolver{}
			msg := Guard{AllowPrivate: allowPrivate}.CheckURL(context.Background(), r, tt.url)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("allowPrivate %v: CheckURL(%s) = %q, want %q", allowPrivate, tt.url, msg, tt.want)
			}
			if len(r.asked) != 0 {
				t.Errorf("allowPrivate %v: CheckURL(%s) looked up %q", allowPrivate, tt.url, r.asked)
			}
		}
	}
	// An address in its usual form is decided as before, unresolved.
	r := &countingResolver{}
	if msg := (Guard{}).CheckURL(context.Background(), r, "http://[::ffff:10.0.0.1]/hook"); !strings.Contains(msg, "10.0.0.1 is a loopback, private or reserved address") || len(r.asked) != 0 {
		t.Errorf("CheckURL([::ffff:10.0.0.1]) = %q, lookups %q", msg, r.asked)
	}
	if msg := (Guard{}).CheckURL(context.Background(), r, "https://93.184.216.34/hook"); msg != "" || len(r.asked) != 0 {
		t.Errorf("CheckURL(93.184.216.34) = %q, lookups %q", msg, r.asked)
	}
}
