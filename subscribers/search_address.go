package subscribers

import "strings"

// emailSearch is the condition on the address of a search for q, and its
// arguments. Addresses are stored with their domain in its xn-- form
// (NormalizeEmail) and shown in Unicode (mailer.AddressForPeople): a
// reader shown as frank@exämple.com was found by "xn--exmple-cua" only.
// A q whose part after its last @ (or the whole of it, with no @) holds
// a letter out of ASCII is looked for in that form too (idnaAddress), so
// that typing what the page shows finds the reader.
func emailSearch(q string) (string, []any) {
	needle := strings.ToLower(q)
	if a := idnaAddress(q); a != "" && a != needle {
		return `(instr(email_key, ?) > 0 OR instr(email_key, ?) > 0)`, []any{needle, a}
	}
	return `instr(email_key, ?) > 0`, []any{needle}
}

// idnaAddress is q, an address, a domain or a part of either, with the
// labels of its domain part in the form NormalizeEmail stores: each
// label out of ASCII in its xn-- form, in lower case. A label is
// converted whole, so a part of one ("exäm") finds nothing in this form.
// It is "" when q's domain part is all ASCII, its part before the @ is
// not (no stored address has such a part), or a label is no IDNA label.
func idnaAddress(q string) string {
	local, domain := "", q
	if at := strings.LastIndexByte(q, '@'); at >= 0 {
		local, domain = q[:at+1], q[at+1:]
	}
	if isASCII(domain) || !isASCII(local) {
		return ""
	}
	labels := strings.Split(domain, ".")
	for i, l := range labels {
		if l == "" || isASCII(l) {
			labels[i] = strings.ToLower(l)
			continue
		}
		a, err := idnaProfile.ToASCII(l)
		if err != nil || a == "" {
			return ""
		}
		labels[i] = a
	}
	return strings.ToLower(local) + strings.Join(labels, ".")
}
