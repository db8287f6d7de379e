package deliverability

import (
	"fmt"
	"net"
	"strings"
)

// A term is one mechanism or modifier of an SPF record.
type term struct {
	text      string
	qualifier byte // + - ~ ?
	name      string
	domain    string // of include, a, mx, exists, ptr, redirect, or the ip of ip4/ip6
	cidr4     int
	cidr6     int
	modifier  bool
}

func parseTerm(s string) (term, error) {
	t := term{text: s, qualifier: '+', cidr4: 32, cidr6: 128}
	if i := strings.IndexAny(s, "=:/"); i > 0 && s[i] == '=' {
		t.modifier, t.name, t.domain = true, strings.ToLower(s[:i]), s[i+1:]
		return t, nil
	}
	if strings.ContainsRune("+-~?", rune(s[0])) {
		t.qualifier, s = s[0], s[1:]
	}
	i := strings.IndexAny(s, ":/")
	if i < 0 {
		i = len(s)
	}
	t.name, s = strings.ToLower(s[:i]), s[i:]
	switch t.name {
	case "all":
		if s != "" {
			return t, fmt.Errorf("term %q: all takes nothing after it", t.text)
		}
	case "ip4", "ip6":
		if !strings.HasPrefix(s, ":") {
			return t, fmt.Errorf("term %q: %s needs an address", t.text, t.name)
		}
		t.domain = s[1:]
		if _, _, err := net.ParseCIDR(cidr(t.domain, t.name)); err != nil {
			return t, fmt.Errorf("term %q: not an address or range", t.text)
		}
	case "a", "mx", "include", "exists", "ptr":
		if strings.HasPrefix(s, ":") {
			j := strings.IndexByte(s, '/')
			if j < 0 {
				j = len(s)
			}
			t.domain, s = s[1:j], s[j:]
		}
		if (t.name == "include" || t.name == "exists") && t.domain == "" {
			return t, fmt.Errorf("term %q: %s needs a domain", t.text, t.name)
		}
		if err := t.parseCIDR(s); err != nil {
			return t, err
		}
	default:
		return t, fmt.Errorf("term %q is not an SPF mechanism", t.text)
	}
	return t, nil
}

// parseCIDR reads the "/24//64" after a and mx.
func (t *term) parseCIDR(s string) error {
	if s == "" {
		return nil
	}
	v4, v6, _ := strings.Cut(s, "//")
	if strings.HasPrefix(s, "//") {
		v4, v6 = "", s[2:]
	}
	for _, p := range []struct {
		s   string
		n   *int
		max int
	}{{strings.TrimPrefix(v4, "/"), &t.cidr4, 32}, {v6, &t.cidr6, 128}} {
		if p.s == "" {
			continue
		}
		if _, err := fmt.Sscanf(p.s, "%d", p.n); err != nil || *p.n < 0 || *p.n > p.max {
			return fmt.Errorf("term %q: bad prefix length", t.text)
		}
	}
	return nil
}

// cidr makes an ip4/ip6 argument a range.
func cidr(arg, kind string) string {
	if strings.Contains(arg, "/") {
		return arg
	}
	if kind == "ip4" {
		return arg + "/32"
	}
	return arg + "/128"
}

// hasMacro says whether a domain-spec depends on the message (%{i} …),
// which a check without a message cannot expand.
func hasMacro(s string) bool { return strings.Contains(s, "%") }
