package bounces_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bounces"
)

const secret = "a secret that is long enough for tests"

func TestVERPRoundTrip(t *testing.T) {
	v := bounces.NewVERP([]byte(secret), "Bounces.Harbour.test")
	for _, d := range []bounces.Delivery{{1, 1}, {7, 123456}, {math.MaxInt64, math.MaxInt64}} {
		addr := v.Address(d.CampaignID, d.SubscriberID)
		local, domain, _ := strings.Cut(addr, "@")
		if len(local) > 64 || !strings.HasPrefix(local, "bounce+") || domain != "bounces.harbour.test" {
			t.Errorf("address %q: local part of %d octets", addr, len(local))
		}
		if strings.ToLower(addr) != addr {
			t.Errorf("address %q is not lower case", addr)
		}
		for _, spelled := range []string{addr, strings.ToUpper(addr), "<" + addr + ">"} {
			got, err := v.Parse(spelled)
			if err != nil {
				t.Fatalf("Parse(%q): %v", spelled, err)
			}
			if diff := cmp.Diff(d, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", spelled, diff)
			}
		}
	}
}

func TestVERPRefusesForgeries(t *testing.T) {
	v := bounces.NewVERP([]byte(secret), "bounces.harbour.test")
	good := v.Address(7, 42)
	other := bounces.NewVERP([]byte(secret+"!"), "bounces.harbour.test").Address(7, 42)
	local, _, _ := strings.Cut(good, "@")
	flip := []byte(local)
	if flip[len(flip)-1] == 'a' {
		flip[len(flip)-1] = 'b'
	} else {
		flip[len(flip)-1] = 'a'
	}
	for _, bad := range []string{
		other,                                  // another installation's secret
		string(flip) + "@bounces.harbour.test", // one character changed
		local + "@elsewhere.test",              // another domain
		local[:len(local)-1] + "@bounces.harbour.test",
		"bounce+@bounces.harbour.test",
		"news@bounces.harbour.test",
		"bounce+" + strings.Repeat("a", 60) + "@bounces.harbour.test",
		"",
	} {
		if d, err := v.Parse(bad); !errors.Is(err, bounces.ErrBadVERP) {
			t.Errorf("Parse(%q) = %v, %v; want ErrBadVERP", bad, d, err)
		}
	}
}
