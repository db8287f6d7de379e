package settings

import (
	"net/netip"
	"strings"
)

// builtinName is the publication's name when neither the settings nor
// BULLETIN_FROM give one of its own: Bulletin's.
const builtinName = "Bulletin"

// EmptyRefused says, by form name, which of the publication's name and
// From address the settings form may not leave empty, and what to type
// instead. An empty field takes BULLETIN_FROM's name or address
// (withDefaults): when the operator set it to a real sender, leaving the
// field empty is how the settings follow the environment, and the form
// says what it gives. Left at its default, BULLETIN_FROM gives "Bulletin"
// and newsletter@localhost: a publication named after the software tells
// readers nothing of whose mail it is, and readers' mail servers refuse
// mail from localhost, so the form asks for both rather than fall back on
// them unseen. The store's Save takes either empty all the same: this is
// the form's rule, and first-run setup asks for both itself.
func (s *Store) EmptyRefused() map[string]string {
	d := s.withDefaults(Publication{})
	refused := map[string]string{}
	if d.Name == builtinName {
		refused["name"] = "type your publication's name, e.g. Harbour Gazette: left empty, readers would see “" +
			builtinName + "” on every page and mail"
	}
	if !deliverable(d.FromAddress) {
		left := "left empty, mail would have no sender"
		if d.FromAddress != "" {
			left = "the default, " + d.FromAddress + ", is refused by readers' mail servers"
		}
		refused["from_address"] = "type the address your mail comes from, e.g. news@example.com: " + left
	}
	return refused
}

// CheckRequired returns, by form name, the error of each field of p that
// is empty though EmptyRefused says it may not be; nil when none is.
func (s *Store) CheckRequired(p Publication) map[string]string {
	var fields map[string]string
	for name, why := range s.EmptyRefused() {
		v := p.Name
		if name == "from_address" {
			v = p.FromAddress
		}
		if strings.TrimSpace(v) == "" {
			if fields == nil {
				fields = map[string]string{}
			}
			fields[name] = why
		}
	}
	return fields
}

// deliverable reports whether addr is an address that mail can come from
// on the Internet: its domain a name with a dot, not localhost nor an IP
// address, which no receiving server takes as a sender's domain.
func deliverable(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	domain := strings.ToLower(strings.Trim(addr[at+1:], "[]"))
	if _, err := netip.ParseAddr(domain); err == nil {
		return false
	}
	return strings.Contains(strings.TrimSuffix(domain, "."), ".") && domain != "localhost" && !strings.HasSuffix(domain, ".localhost")
}
