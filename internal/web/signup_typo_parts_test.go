package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddressParts(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want []string
	}{
		{"Jane.Doe@gmail.com", []string{"Jane.", "Doe", "@gmail.", "com"}},
		{"zoe@gmial.com", []string{"zoe", "@gmial.", "com"}},
		{"mary-jane.watson@yahoo.co.uk", []string{"mary-jane.", "watson", "@yahoo.", "co.", "uk"}},
		{"a..b@x", []string{"a.", ".", "b", "@x"}},
		{"@x.", []string{"@x."}},
		{".a@b", []string{".", "a", "@b"}},
		{"josé@exämple.org", []string{"josé", "@exämple.", "org"}},
		{"nobody", []string{"nobody"}},
		{"", nil},
	} {
		got := addressParts(tc.addr)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("addressParts(%q) (-want +got):\n%s", tc.addr, diff)
		}
		if strings.Join(got, "") != tc.addr {
			t.Errorf("addressParts(%q) = %q, which is not the address", tc.addr, got)
		}
	}
}

// The question and its buttons mark where a line may wrap the addresses
// they name: before the @ and after each dot.
func TestSubscribeTypoMarksWhereAddressesWrap(t *testing.T) {
	e := newTypoEnv(t, 0)
	a := e.post(url.Values{"email": {"Jane.Doe@gmial.com"}, "list": {"daily-news"}})
	for _, want := range []string{
		`Did you mean <strong>Jane.<wbr>Doe<wbr>@gmail.<wbr>com</strong>?`,
		`value="Jane.Doe@gmail.com" style="margin-top:.6rem">Yes, use Jane.<wbr>Doe<wbr>@gmail.<wbr>com</button>`,
		`value="Jane.Doe@gmial.com" style="margin-top:.6rem">No, Jane.<wbr>Doe<wbr>@gmial.<wbr>com is right</button>`,
	} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("the page lacks %s:\n%s", want, a.Body)
		}
	}
}
