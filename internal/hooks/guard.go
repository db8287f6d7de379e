package hooks

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var _ Resolver = (*net.Resolver)(nil)

// A Guard decides which addresses webhooks may go to: public ones only,
// by the same rule as feeds (articles.PublicAddr), unless AllowPrivate
// (BULLETIN_ALLOW_PRIVATE_FEEDS, for receivers on loopback in tests).
type Guard struct {
	AllowPrivate bool
}

// errPrivate is the refusal of an address that is not public.
type errPrivate struct{ addr string }

func (e errPrivate) Error() string {
	return fmt.Sprintf("%s is a loopback, private or reserved address, and webhooks go to public addresses only: to allow such receivers, "+
		"start bulletin serve with the environment variable BULLETIN_ALLOW_PRIVATE_FEEDS=1 (restart it after setting it)", e.addr)
}

// Allow refuses ip unless it is public or private targets are allowed.
func (g Guard) Allow(ip netip.Addr) error {
	if g.AllowPrivate || articles.PublicAddr(ip) {
		return nil
	}
	return errPrivate{ip.Unmap().String()} // ::ffff:127.0.0.1 is 127.0.0.1 to an admin
}

// control refuses, at connect time, any address Allow refuses: it sees
// the address after DNS resolution, so a name that later resolves to a
// private address (DNS rebinding) is refused all the same.
func (g Guard) control(network, address string, c syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook dial: %w", err)
	}
	return g.Allow(ap.Addr())
}

// CheckURL checks an endpoint URL when it is saved: http or https, a
// host, no user info, and a host that is (or resolves to) an address
// Allow accepts. It returns a message saying what to fix, or "".
func (g Guard) CheckURL(ctx context.Context, r Resolver, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "use an http:// or https:// URL, like https://example.com/hooks/bulletin"
	}
	if u.User != nil {
		return "must not hold a user name or password: use the signature to authenticate requests"
	}
	if len(raw) > 2000 {
		return "use a URL of at most 2,000 characters"
	}
	host := u.Hostname()
	// 2130706433 or 0x7f.1 would go to the resolver as a name, where
	// browsers read 127.0.0.1: refused, unresolved, as feeds refuse it.
	if msg := articles.NumericHostProblem(host); msg != "" {
		return msg
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.Allow(ip); err != nil {
			return err.Error()
		}
		return ""
	}
	if g.AllowPrivate {
		return ""
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return host + " cannot be resolved: check the host name"
	}
	for _, ip := range ips {
		if err := g.Allow(ip); err != nil {
			return errPrivate{host + " (" + ip.Unmap().String() + ")"}.Error()
		}
	}
	return ""
}
