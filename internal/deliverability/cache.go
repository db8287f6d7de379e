package deliverability

import (
	"context"
	"net"
	"strings"
)

// A cache answers each question once per Check: the From domain and the
// bounce domain often include the same provider records.
type cache struct {
	res Resolver
	txt map[string]answer[[]string]
	mx  map[string]answer[[]*net.MX]
	ip  map[string]answer[[]net.IPAddr]
	// failed counts the answers given that are errors, those of the
	// cache included: a check that reads a failed lookup again could not
	// be made either. firstErr is the first of them.
	failed   int
	firstErr error
}

type answer[T any] struct {
	v   T
	err error
}

func newCache(res Resolver) *cache {
	return &cache{res: res, txt: map[string]answer[[]string]{}, mx: map[string]answer[[]*net.MX]{}, ip: map[string]answer[[]net.IPAddr]{}}
}

func cached[T any](c *cache, m map[string]answer[T], name string, ask func(string) (T, error)) (T, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	a, ok := m[name]
	if !ok {
		a.v, a.err = ask(name)
		m[name] = a
	}
	if a.err != nil {
		c.failed++
		if c.firstErr == nil {
			c.firstErr = a.err
		}
	}
	return a.v, a.err
}

// TXT returns the TXT records of name; none is not an error.
func (c *cache) TXT(ctx context.Context, name string) ([]string, error) {
	return cached(c, c.txt, name, func(n string) ([]string, error) { return orNone(c.res.LookupTXT(ctx, n)) })
}

// MX returns the MX records of name; none is not an error.
func (c *cache) MX(ctx context.Context, name string) ([]*net.MX, error) {
	return cached(c, c.mx, name, func(n string) ([]*net.MX, error) { return orNone(c.res.LookupMX(ctx, n)) })
}

// IPs returns the addresses of host; none is not an error.
func (c *cache) IPs(ctx context.Context, host string) ([]net.IP, error) {
	addrs, err := cached(c, c.ip, host, func(n string) ([]net.IPAddr, error) { return orNone(c.res.LookupIPAddr(ctx, n)) })
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, err
}

// orNone makes "no such name" and "no such record" an empty answer.
func orNone[T any](v T, err error) (T, error) {
	if notFound(err) {
		var zero T
		return zero, nil
	}
	return v, err
}
