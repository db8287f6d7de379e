package articles

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// NumericHostProblem says what is wrong with a host that is a number but
// not an IP address in its usual form, or returns "" for any other host.
// The feeds' guard and the webhooks' (internal/hooks) ask it first.
// Browsers, curl and the C library read 2130706433, 0177.0.0.1, 0x7f.1,
// 127.1 and "127.0.0.1." as 127.0.0.1 (the WHATWG URL Standard's IPv4
// parser, inet_aton), where Go's resolver may send them to DNS as names:
// the guard would then decide on whatever DNS answered, or on nothing
// when private feeds are allowed. Such a host is refused before any
// lookup, with the address it stands for, so that the admin writes that
// instead and the guard judges the address everyone reads. A bracketed
// host that is not an IPv6 address ([::ffff:127.1]) is refused too.
func NumericHostProblem(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	if strings.Contains(host, ":") {
		return fmt.Sprintf("[%s] is not an IPv6 address: write the address in full, like [2001:db8::1], or use the site's name", host)
	}
	if !endsInNumber(host) {
		return ""
	}
	ip, ok := parseIPv4Number(host)
	if !ok {
		return fmt.Sprintf("%s is neither a site's name nor an IP address: use the site's name, or its IPv4 address as four numbers from 0 to 255, like 93.184.216.34", host)
	}
	return fmt.Sprintf("%s is the IP address %s written in another form: write it as %s", host, ip, ip)
}

// endsInNumber reports whether host's last label (after a final dot, if
// any) is a number, decimal or 0x hexadecimal: the WHATWG URL Standard's
// test of whether a host is to be read as an IPv4 address at all. No
// top-level domain is a number.
func endsInNumber(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) > 1 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Part(last)
	return ok
}

// parseIPv4Number reads host as the WHATWG URL Standard's IPv4 parser
// does: one to four dot-separated parts, each decimal, octal (a leading
// 0) or hexadecimal (0x), the last filling the bytes the others leave.
func parseIPv4Number(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := ipv4Part(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(5-len(parts))) {
			return netip.Addr{}, false
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// ipv4Part reads one part of an IPv4 address as the WHATWG URL Standard
// does: 0x or 0X then hexadecimal, a leading 0 then octal, else decimal;
// "0x" alone is 0.
func ipv4Part(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
	case len(p) >= 2 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(p, base, 64) // no sign, no "_"
	if errors.Is(err, strconv.ErrRange) {
		return 1 << 40, true // a number still, too big for any part
	}
	return n, err == nil
}
