package subscribers

import (
	"slices"
	"strings"
)

// mailProviders are the domains most readers' addresses end in, across
// the countries Bulletin is used in. An address whose domain is a near
// miss of one of them is most likely mistyped: its confirmation mail
// bounces, the reader never hears from the list, and the bounce counts
// against the publisher's sending reputation. The list is short on
// purpose: each entry is a domain a typo may be taken for, and every one
// added makes some other real domain look like a typo of it.
//
// Each is written as its name and its ending, split at the first dot:
// a typo in the name (gmial.com) and a slip in the ending (gmail.con) are
// told apart (see nearMiss).
var mailProviders = []string{
	"gmail.com", "googlemail.com",
	"yahoo.com", "yahoo.co.uk", "yahoo.fr",
	"hotmail.com", "hotmail.co.uk", "hotmail.fr",
	"outlook.com", "live.com", "msn.com",
	"icloud.com", "me.com", "mac.com",
	"aol.com", "mail.com",
	"gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de",
	"orange.fr", "free.fr", "laposte.net",
	"proton.me", "protonmail.com",
	"libero.it",
	"mail.ru", "yandex.ru",
	"qq.com", "163.com", "naver.com",
	"comcast.net",
}

// realNeighbours are domains of real mailboxes one edit away from a
// provider above, which are never asked about nor suggested: ymail.com
// (Yahoo) and email.com (mail.com's) are a letter away from gmail.com,
// and cloud.com (a software company's staff) is icloud.com without its
// i. A near miss of one of them is a near miss of two domains when it is
// a provider's too (see SuggestAddress).
var realNeighbours = []string{"ymail.com", "email.com", "cloud.com"}

// minEditedName is the shortest provider name a typo in the name is
// suggested for. Short names sit among real domains of other owners one
// letter away (me.com and mc.com, aol.com and al.com, msn.com and
// ms.com, qq.com and q.com), so an address at one of those is taken as
// typed; a short name is suggested only for a slip in its ending
// (aol.con).
const minEditedName = 5

// endingSlips are the slips of a provider's ending taken for it: a
// letter dropped, doubled, swapped or struck beside it on the keyboard.
// An ending that is another real ending readers use (hotmail.de and
// hotmail.fr, yahoo.gr and yahoo.fr) is not one, which is why endings are
// not compared by their edit distance as names are. "co" is a slip of
// both .com and .co.uk, so hotmail.co asks nothing: the reader may have
// meant either.
var endingSlips = map[string][]string{
	"com":   {"con", "cmo", "ocm", "co", "om", "cm", "comm", "coom", "cpm", "cim", "vom", "xom"},
	"net":   {"nte", "ent", "ne", "nt", "nett", "met"},
	"co.uk": {"co", "couk", "co.ku", "oc.uk", "co.ukk", "co.k", "co.u"},
	"de":    {"ed", "dee", "d"},
	"fr":    {"rf", "frr", "f"},
	"it":    {"ti", "itt"},
	"me":    {"em", "mee"},
	"ru":    {"ur", "ruu"},
}

// SuggestAddress returns email at the provider's domain its own domain
// looks like a typo of (zoe@gmial.com gives zoe@gmail.com), with the
// part before the @ as it is, and true; or "" and false when the domain
// is a provider's or a real neighbour's, when it is no near miss of a
// provider, when it is a near miss of two of those domains (it cannot
// tell which was meant), or when email is no valid address. It compares the domain in the form
// NormalizeEmail stores (lower case, and a domain in another script in
// its xn-- form, which is no near miss of the providers' ASCII names: a
// letter from another alphabet is taken as meant).
func SuggestAddress(email string) (string, bool) {
	addr, msg := NormalizeEmail(email)
	if msg != "" {
		return "", false
	}
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr[:at], addr[at+1:]
	if slices.Contains(mailProviders, domain) || slices.Contains(realNeighbours, domain) {
		return "", false
	}
	found, near := "", 0
	for _, p := range mailProviders {
		if ok, sure := nearMiss(domain, p); ok {
			near++
			if sure {
				found = p
			}
		}
	}
	for _, n := range realNeighbours {
		if ok, _ := nearMiss(domain, n); ok {
			near++
		}
	}
	if near != 1 || found == "" {
		return "", false
	}
	return local + "@" + found, true
}

// nearMiss reports whether domain is one slip away from provider: a typo
// in the name before the provider's ending, or the name whole and its
// ending slipped; and whether it is sure enough to suggest provider for
// it, which a typo in a short name is not (see minEditedName). Such a
// near miss still counts against another provider's: mmail.com may be
// mail.com as well as gmail.com, and is asked about as neither.
func nearMiss(domain, provider string) (near, sure bool) {
	name, ending, _ := strings.Cut(provider, ".")
	if typed, ok := strings.CutSuffix(domain, "."+ending); ok && oneEdit(typed, name) {
		return true, len(name) >= minEditedName
	}
	typed, slip, ok := strings.Cut(domain, ".")
	if ok && typed == name && slices.Contains(endingSlips[ending], slip) {
		return true, true
	}
	return false, false
}

// oneEdit reports whether a and b are one edit apart (a Damerau–Levenshtein
// distance of 1): a character added, dropped or changed, or two side by
// side swapped. Domains are compared as NormalizeEmail stores them, in
// ASCII, so bytes are characters. What is left once the longest common
// start and end are cut off is the edit.
func oneEdit(a, b string) bool {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	a, b = a[i:], b[i:]
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	switch {
	case len(a)+len(b) == 1: // added or dropped
		return true
	case len(a) == 1 && len(b) == 1: // changed
		return true
	case len(a) == 2 && len(b) == 2: // swapped
		return a[0] == b[1] && a[1] == b[0]
	}
	return false
}
