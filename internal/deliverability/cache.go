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
}

type answer[T any] struct {
	v   T
	err error
}

func newCache(res Resolver) *cache {
	return &cache{res: res, txt: map[string]answer[[]string]{}, mx: map[string]answer[[]*net.MX]{}, ip: map[string]answer[[]net.IPAddr]{}}
}

func cached[T any](m map[string]answer[T], name string, ask func(string) (T, error)) (T, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if a, ok := m[name]; ok {
		return a.v, a.err
	}
	v, err := ask(name)
	m[name] = answer[T]{v, err}
	return v, err
}

// TXT returns the TXT records of name; none is not an error.
func (c *cache) TXT(ctx context.Context, name string) ([]string, error) {
	return cached(c.txt, name, func(n string) ([]string, error) { return orNone(c.res.LookupTXT(ctx, n)) })
}

// MX returns the MX records of name; none is not an error.
func (c *cache) MX(ctx context.Context, name string) ([]*net.MX, error) {
	return cached(c.mx, name, func(n string) ([]*net.MX, error) { return orNone(c.res.LookupMX(ctx, n)) })
}

// IPs returns the addresses of host; none is not an error.
func (c *cache) IPs(ctx context.Context, host string) ([]net.IP, error) {
	addrs, err := cached(c.ip, host, func(n string) ([]net.IPAddr, error) { return orNone(c.res.LookupIPAddr(ctx, n)) })
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
