package subscribers

import (
	"slices"
	"strings"
	"testing"
)

// SuggestAddress takes a near miss of one provider's domain for it, and
// leaves alone what it cannot be sure of: the providers themselves and
// their real neighbours, short names edited, two providers equally near,
// and letters of another script.
func TestSuggestAddress(t *testing.T) {
	tests := []struct {
		name, in, want string // want "" for no suggestion
	}{
		// A letter swapped, dropped, added or changed in the name.
		{"swapped", "zoe@gmial.com", "zoe@gmail.com"},
		{"swapped in hotmail", "ann@hotmial.com", "ann@hotmail.com"},
		{"first two swapped", "zoe@gamil.com", "zoe@gmail.com"},
		{"dropped", "zoe@gmai.com", "zoe@gmail.com"},
		{"added", "eve@yahooo.com", "eve@yahoo.com"},
		{"changed", "zoe@gnail.com", "zoe@gmail.com"},
		{"hyphen dropped", "kai@tonline.de", "kai@t-online.de"},
		{"under a two-part ending", "ann@hotmal.co.uk", "ann@hotmail.co.uk"},
		{"under .fr", "luc@oranje.fr", "luc@orange.fr"},
		{"longer name", "max@googlemial.com", "max@googlemail.com"},
		// A slip in the ending, the name whole.
		{".con", "bob@gmail.con", "bob@gmail.com"},
		{".cmo", "bob@gmail.cmo", "bob@gmail.com"},
		{".co", "bob@gmail.co", "bob@gmail.com"},
		{".om", "bob@outlook.om", "bob@outlook.com"},
		{".nte", "kai@gmx.nte", "kai@gmx.net"},
		{".ne is .net, not .de", "kai@gmx.ne", "kai@gmx.net"},
		{".couk", "ann@yahoo.couk", "ann@yahoo.co.uk"},
		{".rf", "luc@free.rf", "luc@free.fr"},
		{"short name, slipped ending", "al@aol.con", "al@aol.com"},
		{"short name, .cm", "li@qq.cm", "li@qq.com"},
		{"digits", "li@163.con", "li@163.com"},
		// The address as NormalizeEmail stores it: the part before the @
		// kept as typed, the domain lower-cased, spaces trimmed.
		{"case", "Zoe.Smith@GMIAL.COM", "Zoe.Smith@gmail.com"},
		{"spaces around", "  zoe@gmial.com ", "zoe@gmail.com"},
		{"plus address", "zoe+news@gmial.com", "zoe+news@gmail.com"},
		{"fullwidth letters, mapped to ASCII as DNS does", "zoe@ｇｍｉａｌ.com", "zoe@gmail.com"},

		// The providers and their real neighbours are taken as typed.
		{"provider", "zoe@gmail.com", ""},
		{"provider in capitals", "zoe@GMAIL.COM", ""},
		{"mail.com, gmail.com without its g", "zoe@mail.com", ""},
		{"ymail.com", "zoe@ymail.com", ""},
		{"email.com", "zoe@email.com", ""},
		{"cloud.com", "zoe@cloud.com", ""},
		{"yahoo.fr, not a slip of yahoo.com", "zoe@yahoo.fr", ""},
		{"live.com", "zoe@live.com", ""},
		// Short names sit among other owners' domains.
		{"mc.com is not me.com", "zoe@mc.com", ""},
		{"mme.com", "zoe@mme.com", ""},
		{"al.com is not aol.com", "zoe@al.com", ""},
		{"ms.com is not msn.com", "zoe@ms.com", ""},
		{"q.com is not qq.com", "zoe@q.com", ""},
		{"max.com is not mac.com", "zoe@max.com", ""},
		{"wed.de is not web.de", "zoe@wed.de", ""},
		{"gmx.at is GMX's", "zoe@gmx.at", ""},
		{"love.com is not live.com", "zoe@love.com", ""},
		// Another real ending is no slip, though one letter away.
		{"hotmail.fi", "zoe@hotmail.fi", ""},
		{"yahoo.gr", "zoe@yahoo.gr", ""},
		{"hotmail.de", "zoe@hotmail.de", ""},
		{"yandex.ua", "zoe@yandex.ua", ""},
		{"yahoo.co.jp", "zoe@yahoo.co.jp", ""},
		// Two slips are no near miss.
		{"name and ending", "zoe@gmial.con", ""},
		{"two letters", "zoe@gmaiil.comm", ""},
		{"far", "zoe@example.com", ""},
		{"subdomain", "zoe@mail.gmial.com", ""},
		// Near two providers: which was meant cannot be told.
		{".co of .com and of .co.uk", "ann@hotmail.co", ""},
		{"yahoo.co too", "ann@yahoo.co", ""},
		{"mmail.com, mail.com or gmail.com", "zoe@mmail.com", ""},
		{"hmail.com, gmail.com or mail.com or ymail.com", "zoe@hmail.com", ""},
		{"icloud.com or cloud.com", "zoe@ccloud.com", ""},
		// Another script: compared in its xn-- form, taken as meant.
		{"Cyrillic а in gmail", "zoe@gmаil.com", ""},
		{"Cyrillic domain", "zoe@почта.рф", ""},
		{"German umlaut", "zoe@gmäil.com", ""},
		// No address, no suggestion.
		{"no domain", "zoe@", ""},
		{"no @", "gmial.com", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := SuggestAddress(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("SuggestAddress(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// Every provider's domain with one letter of its name dropped, changed,
// doubled or swapped, or its ending slipped, is suggested back as that
// provider or as nothing, never as another provider. It is suggested
// unless a rule says otherwise: the name is short and was edited, the
// typo is a known domain itself, or it is a near miss of another known
// domain too (as hotmail.co is of hotmail.co.uk).
func TestSuggestAddressNeverPicksAnotherProvider(t *testing.T) {
	known := append(slices.Clone(mailProviders), realNeighbours...)
	asked := 0
	for _, p := range mailProviders {
		name, ending, _ := strings.Cut(p, ".")
		var typos []string
		for i := range len(name) {
			typos = append(typos,
				name[:i]+name[i+1:]+"."+ending,           // dropped
				name[:i]+"x"+name[i+1:]+"."+ending,       // changed
				name[:i]+name[i:i+1]+name[i:]+"."+ending) // doubled
			if i+1 < len(name) {
				typos = append(typos, name[:i]+name[i+1:i+2]+name[i:i+1]+name[i+2:]+"."+ending) // swapped
			}
		}
		for _, slip := range endingSlips[ending] {
			typos = append(typos, name+"."+slip)
		}
		for _, d := range typos {
			got, ok := SuggestAddress("zoe@" + d)
			if ok && got != "zoe@"+p {
				t.Errorf("zoe@%s, a typo of %s, is taken for %s", d, p, got)
			}
			_, sure := nearMiss(d, p)
			want := sure && !slices.Contains(known, d)
			for _, k := range known {
				if near, _ := nearMiss(d, k); near && k != p {
					want = false
				}
			}
			if _, msg := NormalizeEmail("zoe@" + d); msg != "" {
				want = false // -online.de
			}
			if ok != want {
				t.Errorf("zoe@%s, a typo of %s: suggested %v, want %v", d, p, ok, want)
			}
			if ok {
				asked++
			}
		}
	}
	if asked < 500 {
		t.Errorf("%d typos of the providers are asked about, want most of them", asked)
	}
}

func TestOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"gmail", "gmail", false},
		{"gmail", "gmial", true},
		{"gmail", "gmai", true},
		{"gmail", "ggmail", true},
		{"gmail", "gmaill", true},
		{"gmail", "xgmail", true},
		{"gmail", "gnail", true},
		{"gmail", "mgail", true},
		{"gmail", "gmali", true},
		{"gmail", "gmal", true},
		{"gmail", "gmla", false},
		{"gmail", "giam", false},
		{"gmail", "gm", false},
		{"gmail", "ymaix", false},
		{"", "a", true},
		{"", "", false},
		{"ab", "ba", true},
		{"abc", "cba", false},
	}
	for _, tt := range tests {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := oneEdit(tt.b, tt.a); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
