package subscribers

import (
	"strings"
	"testing"
)

// A suggestion is an address the signup takes as it is, so a reader who
// accepts it is not sent back: the question is asked only of an address
// NormalizeEmail takes, whose part before the @ is at most MaxLocalLen
// octets, and a provider's domain is short. A 254-character address at a
// mistyped domain, which would have made a suggestion of 255, is refused
// as typed and asked nothing. Every typo of every provider is tried with
// the longest part before the @ allowed: should a provider be added that
// the validator refuses, or the limit before the @ be raised, a
// suggestion the form then refuses is caught here.
func TestSuggestionIsAnAddressTheSignupTakes(t *testing.T) {
	long := strings.Repeat("a", MaxEmailLen-len("@gmail.cm")) + "@gmail.cm"
	if len(long) != MaxEmailLen {
		t.Fatalf("the address is %d characters, the test needs %d", len(long), MaxEmailLen)
	}
	if got, ok := SuggestAddress(long); ok {
		t.Errorf("a %d-character address at gmail.cm is offered %q (%d characters)", len(long), got, len(got))
	}

	local := strings.Repeat("a", MaxLocalLen)
	offered, longest := 0, ""
	for _, p := range mailProviders {
		name, ending, _ := strings.Cut(p, ".")
		typos := []string{name + "x." + ending, name[1:] + "." + ending}
		for _, slip := range endingSlips[ending] {
			typos = append(typos, name+"."+slip)
		}
		for _, d := range typos {
			got, ok := SuggestAddress(local + "@" + d)
			if !ok {
				continue
			}
			offered++
			if stored, why := NormalizeEmail(got); why != "" || stored != got {
				t.Errorf("%s@%s is offered %q (%d characters), which the signup takes as %q, %q",
					local, d, got, len(got), stored, why)
			}
			if len(got) > len(longest) {
				longest = got
			}
		}
	}
	if offered < 100 {
		t.Errorf("%d typos with %d octets before the @ are offered a suggestion, want most of them", offered, MaxLocalLen)
	}
	t.Logf("the longest suggestion is %d characters: %s", len(longest), longest)
}
