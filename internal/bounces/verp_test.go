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
	for _, d := range []bounces.Delivery{{CampaignID: 1, SubscriberID: 1}, {CampaignID: 7, SubscriberID: 123456}, {CampaignID: math.MaxInt64, SubscriberID: math.MaxInt64}} {
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

// Each kind of mail has its own token, which names what a bounce of it
// is about within a 64-octet local part, and parses back to the same
// delivery; a campaign's token from before kinds existed, or before ids
// were sealed, still parses.
func TestVERPKinds(t *testing.T) {
	v := bounces.NewVERP([]byte(secret), "bounces.harbour.test")
	const max = math.MaxInt64
	for _, d := range []bounces.Delivery{
		{Kind: bounces.KindCampaign, CampaignID: 7, SubscriberID: 42},
		{Kind: bounces.KindConfirm, SubscriberID: 1},
		{Kind: bounces.KindConfirm, SubscriberID: max},
		{Kind: bounces.KindWelcome, SubscriberID: 42, ListID: 3},
		{Kind: bounces.KindWelcome, SubscriberID: max, ListID: max},
		{Kind: bounces.KindTest, CampaignID: 7},
		{Kind: bounces.KindTest, CampaignID: max},
	} {
		addr := v.AddressOf(d)
		local, _, _ := strings.Cut(addr, "@")
		if len(local) > 64 {
			t.Errorf("%v: local part of %d octets: %s", d, len(local), addr)
		}
		got, err := v.Parse(strings.ToUpper(addr))
		if err != nil {
			t.Fatalf("%v: Parse(%q): %v", d, addr, err)
		}
		if diff := cmp.Diff(d, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", addr, diff)
		}
	}
	if a, b := v.AddressOf(bounces.Delivery{Kind: bounces.KindConfirm, SubscriberID: 5}), v.AddressOf(bounces.Delivery{Kind: bounces.KindWelcome, SubscriberID: 5}); a == b {
		t.Errorf("a confirmation and a welcome mail of one reader share the address %s", a)
	}
	// Made by the version before kinds: still names campaign 7, reader 42.
	got, err := v.Parse("bounce+a4vhpfahlrrs3tf2txfq@bounces.harbour.test")
	if diff := cmp.Diff(bounces.Delivery{Kind: bounces.KindCampaign, CampaignID: 7, SubscriberID: 42}, got); err != nil || diff != "" {
		t.Errorf("an address of the previous version: %v (-want +got):\n%s", err, diff)
	}
	// The address now seals the ids: the old one showed them (a4 = 7, 42).
	if got, old := v.AddressOf(bounces.Delivery{CampaignID: 7, SubscriberID: 42}), "bounce+a4vhpfahlrrs3tf2txfq@bounces.harbour.test"; got == old || got[:9] == old[:9] {
		t.Errorf("a campaign's address is %s, its ids as readable as in %s", got, old)
	}
	for k, want := range map[bounces.Kind]string{bounces.KindCampaign: "campaign", bounces.KindConfirm: "confirmation", bounces.KindWelcome: "welcome", bounces.KindTest: "test"} {
		if k.String() != want {
			t.Errorf("Kind %d is %q, want %q", k, k.String(), want)
		}
	}
}

// Whatever Parse accepts is the one spelling AddressOf gives its
// delivery: no second address names the same delivery (but the one mail
// sent before ids were sealed had, which a fuzzer cannot forge).
func FuzzVERPParse(f *testing.F) {
	v := bounces.NewVERP([]byte(secret), "bounces.harbour.test")
	f.Add(v.Address(7, 42))
	f.Add(v.AddressOf(bounces.Delivery{Kind: bounces.KindWelcome, SubscriberID: 9, ListID: 2}))
	f.Add("bounce+aaaa@bounces.harbour.test")
	f.Fuzz(func(t *testing.T, addr string) {
		d, err := v.Parse(addr)
		if err != nil {
			return
		}
		if again := v.AddressOf(d); again != strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(addr), "<"), ">")) {
			t.Errorf("Parse(%q) = %v, whose address is %s", addr, d, again)
		}
	})
}

// A delivery's Message-ID, the local part of its VERP address at the From
// domain, names the delivery; an altered or foreign one names nothing.
func TestVERPMessageID(t *testing.T) {
	v := bounces.NewVERP([]byte(secret), "bounces.harbour.test")
	local, _, _ := strings.Cut(v.Address(7, 42), "@")
	for _, id := range []string{"<" + local + "@harbour.test>", local + "@news.harbour.test", " <" + strings.ToUpper(local) + "@HARBOUR.TEST> "} {
		got, err := v.ParseMessageID(id)
		if err != nil {
			t.Fatalf("ParseMessageID(%q): %v", id, err)
		}
		if diff := cmp.Diff(bounces.Delivery{CampaignID: 7, SubscriberID: 42}, got); diff != "" {
			t.Errorf("ParseMessageID(%q) (-want +got):\n%s", id, diff)
		}
	}
	other, _, _ := strings.Cut(bounces.NewVERP([]byte(secret+"!"), "bounces.harbour.test").Address(7, 42), "@")
	for _, bad := range []string{"<" + other + "@harbour.test>", "<20261130.abc@harbour.test>", "<" + local + "x@harbour.test>", local, "<@harbour.test>", ""} {
		if d, err := v.ParseMessageID(bad); !errors.Is(err, bounces.ErrBadVERP) {
			t.Errorf("ParseMessageID(%q) = %v, %v; want ErrBadVERP", bad, d, err)
		}
	}
}
