package deliverability_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/deliverability"
	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
)

// zone is the DNS of a sender that did everything right: example.com
// sends through smtp.relay.test, whose provider publishes its range in
// _spf.relay.test, and bounces come back to bounces.example.com.
func zone(t *testing.T) map[string]string {
	rsa, ed := dkimtest.Keys(t)
	return map[string]string{
		"relay":       `smtp.relay.test. 300 IN A 192.0.2.25`,
		"relay6":      `smtp.relay.test. 300 IN AAAA 2001:db8::25`,
		"spf":         `example.com. 300 IN TXT "v=spf1 include:_spf.relay.test ~all"`,
		"relay spf":   `_spf.relay.test. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"`,
		"other txt":   `example.com. 300 IN TXT "google-site-verification=abc"`,
		"rsa":         rsa.Record("example.com"),
		"ed":          ed.Record("example.com"),
		"dmarc":       `_dmarc.example.com. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"`,
		"bounce mx":   `bounces.example.com. 300 IN MX 10 bulletin.example.com.`,
		"bounce spf":  `bounces.example.com. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`,
		"bounce host": `bulletin.example.com. 300 IN A 198.51.100.7`,
	}
}

func config(t *testing.T) deliverability.Config {
	rsa, ed := dkimtest.Keys(t)
	return deliverability.Config{
		Domains:      []string{"example.com"},
		Relay:        "smtp.relay.test",
		Keys:         []dkim.Key{rsa, ed},
		BounceDomain: "bounces.example.com",
		BounceHost:   "bulletin.example.com",
	}
}

// allOK is what the zone gives: every finding ok.
var allOK = map[string]deliverability.Status{
	"example.com SPF":         deliverability.OK,
	"example.com DKIM rsa1":   deliverability.OK,
	"example.com DKIM ed1":    deliverability.OK,
	"example.com DMARC":       deliverability.OK,
	"example.com Gmail/Yahoo": deliverability.OK,
	"bounces.example.com SPF": deliverability.OK,
	"bounces.example.com MX":  deliverability.OK,
}

func with(m map[string]deliverability.Status, changes ...any) map[string]deliverability.Status {
	out := make(map[string]deliverability.Status, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(changes); i += 2 {
		if changes[i+1] == nil {
			delete(out, changes[i].(string))
			continue
		}
		out[changes[i].(string)] = changes[i+1].(deliverability.Status)
	}
	return out
}

func TestCheck(t *testing.T) {
	other, err := dkim.Generate(t.TempDir(), "rsa1", dkim.RSA)
	if err != nil {
		t.Fatal(err)
	}
	var many []string
	for i := range 11 {
		many = append(many, fmt.Sprintf("include:i%d.relay.test", i))
	}
	tests := []struct {
		name    string
		records map[string]string // replace the zone's records by key; "" removes one
		config  func(c *deliverability.Config)
		want    map[string]deliverability.Status
		publish map[string]string // finding → the record it proposes
	}{
		{name: "all good", want: allOK},
		{
			name:    "SPF missing",
			records: map[string]string{"spf": ""},
			want:    with(allOK, "example.com SPF", deliverability.Missing),
			publish: map[string]string{"example.com SPF": `example.com TXT "v=spf1 a:smtp.relay.test ~all"`},
		},
		{
			name:    "SPF without the relay",
			records: map[string]string{"spf": `example.com. 300 IN TXT "v=spf1 mx ip4:198.51.100.0/24 -all"`},
			want:    with(allOK, "example.com SPF", deliverability.Missing),
			publish: map[string]string{"example.com SPF": `example.com TXT "v=spf1 a:smtp.relay.test mx ip4:198.51.100.0/24 -all"`},
		},
		{
			name: "SPF over 10 lookups",
			records: map[string]string{
				"spf": `example.com. 300 IN TXT "v=spf1 ` + strings.Join(many, " ") + ` ip4:192.0.2.0/24 -all"`,
				"i0":  `i0.relay.test. 300 IN TXT "v=spf1 -all"`, "i1": `i1.relay.test. 300 IN TXT "v=spf1 -all"`,
				"i2": `i2.relay.test. 300 IN TXT "v=spf1 -all"`, "i3": `i3.relay.test. 300 IN TXT "v=spf1 -all"`,
				"i4": `i4.relay.test. 300 IN TXT "v=spf1 -all"`, "i5": `i5.relay.test. 300 IN TXT "v=spf1 -all"`,
				"i6": `i6.relay.test. 300 IN TXT "v=spf1 -all"`, "i7": `i7.relay.test. 300 IN TXT "v=spf1 -all"`,
				"i8": `i8.relay.test. 300 IN TXT "v=spf1 -all"`, "i9": `i9.relay.test. 300 IN TXT "v=spf1 -all"`,
				"i10": `i10.relay.test. 300 IN TXT "v=spf1 -all"`,
			},
			want: with(allOK, "example.com SPF", deliverability.Error),
		},
		{
			name:    "SPF through redirect and mx",
			records: map[string]string{"spf": `example.com. 300 IN TXT "v=spf1 redirect=_spf.example.com"`, "spf2": `_spf.example.com. 300 IN TXT "v=spf1 mx:relay.test -all"`, "mx": `relay.test. 300 IN MX 5 smtp.relay.test.`},
			want:    allOK,
		},
		{
			name:    "SPF with +all",
			records: map[string]string{"spf": `example.com. 300 IN TXT "v=spf1 +all"`},
			want:    with(allOK, "example.com SPF", deliverability.Warn),
		},
		{
			name:   "SPF with no relay",
			config: func(c *deliverability.Config) { c.Relay = "" },
			want:   with(allOK, "example.com SPF", deliverability.Warn, "bounces.example.com SPF", deliverability.Warn),
		},
		{
			name:    "SPF without one of the relay's addresses",
			records: map[string]string{"relay spf": `_spf.relay.test. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"`},
			want:    with(allOK, "example.com SPF", deliverability.Warn),
		},
		{
			name:    "relay given as an address, SPF missing",
			config:  func(c *deliverability.Config) { c.Relay = "192.0.2.25"; c.BounceDomain = "" },
			records: map[string]string{"spf": ""},
			want:    with(allOK, "example.com SPF", deliverability.Missing, "bounces.example.com MX", nil, "bounces.example.com SPF", nil),
			publish: map[string]string{"example.com SPF": `example.com TXT "v=spf1 ip4:192.0.2.25 ~all"`},
		},
		{
			name:   "relay on this machine",
			config: func(c *deliverability.Config) { c.Relay = "127.0.0.1"; c.BounceDomain = "" },
			want:   with(allOK, "example.com SPF", deliverability.Warn, "bounces.example.com MX", nil, "bounces.example.com SPF", nil),
		},
		{
			name:    "two SPF records",
			records: map[string]string{"spf2": `example.com. 300 IN TXT "v=spf1 -all"`},
			want:    with(allOK, "example.com SPF", deliverability.Error),
		},
		{
			name:    "DKIM missing",
			records: map[string]string{"rsa": ""},
			want:    with(allOK, "example.com DKIM rsa1", deliverability.Missing),
			publish: map[string]string{"example.com DKIM rsa1": func() string {
				k, _ := dkimtest.Keys(t)
				return k.RecordName("example.com") + " TXT " + quoted(k.RecordValue())
			}()},
		},
		{
			name:    "DKIM key mismatch",
			records: map[string]string{"rsa": other.Record("example.com")},
			want:    with(allOK, "example.com DKIM rsa1", deliverability.Error),
		},
		{
			name:   "DKIM off",
			config: func(c *deliverability.Config) { c.Keys = nil },
			want: with(allOK, "example.com DKIM rsa1", nil, "example.com DKIM ed1", nil,
				"example.com DKIM", deliverability.Missing, "example.com Gmail/Yahoo", deliverability.Warn),
		},
		{
			name:    "DMARC missing",
			records: map[string]string{"dmarc": ""},
			want:    with(allOK, "example.com DMARC", deliverability.Missing),
			publish: map[string]string{"example.com DMARC": `_dmarc.example.com TXT "v=DMARC1; p=none; rua=mailto:postmaster@example.com"`},
		},
		{
			name:    "DMARC p=none",
			records: map[string]string{"dmarc": `_dmarc.example.com. 300 IN TXT "v=DMARC1; p=none"`},
			want:    with(allOK, "example.com DMARC", deliverability.Warn),
		},
		{
			name:    "DMARC of the organizational domain",
			config:  func(c *deliverability.Config) { c.Domains = []string{"news.example.com"} },
			records: map[string]string{"spf": `news.example.com. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`, "rsa": "", "ed": "", "rsa news": rsaRecord(t, "news.example.com"), "ed news": edRecord(t, "news.example.com")},
			want: map[string]deliverability.Status{
				"news.example.com SPF":         deliverability.OK,
				"news.example.com DKIM rsa1":   deliverability.OK,
				"news.example.com DKIM ed1":    deliverability.OK,
				"news.example.com DMARC":       deliverability.OK,
				"news.example.com Gmail/Yahoo": deliverability.OK,
				"bounces.example.com SPF":      deliverability.OK,
				"bounces.example.com MX":       deliverability.OK,
			},
		},
		{
			name:    "bounce MX missing",
			records: map[string]string{"bounce mx": ""},
			want:    with(allOK, "bounces.example.com MX", deliverability.Missing),
			publish: map[string]string{"bounces.example.com MX": `bounces.example.com MX 10 bulletin.example.com.`},
		},
		{
			name:   "no bounce domain",
			config: func(c *deliverability.Config) { c.BounceDomain = "" },
			want:   with(allOK, "bounces.example.com MX", nil, "bounces.example.com SPF", nil),
		},
		{
			name:   "From at localhost",
			config: func(c *deliverability.Config) { c.Domains = []string{"localhost"}; c.BounceDomain = "" },
			want:   map[string]deliverability.Status{"localhost From": deliverability.Error},
		},
		{
			name:   "From at an IP address",
			config: func(c *deliverability.Config) { c.Domains = []string{"192.0.2.1"}; c.BounceDomain = "" },
			want:   map[string]deliverability.Status{"192.0.2.1 From": deliverability.Error},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone(t)
			for k, v := range tt.records {
				z[k] = v
			}
			var recs []string
			for _, r := range z {
				if r != "" {
					recs = append(recs, r)
				}
			}
			srv := dnstest.Serve(t, recs...)
			c := config(t)
			if tt.config != nil {
				tt.config(&c)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			rep := deliverability.Check(ctx, srv.Resolver(), c)
			got := map[string]deliverability.Status{}
			published := map[string]string{}
			for _, f := range rep.Findings {
				key := f.Domain + " " + f.Check
				got[key] = f.Status
				if f.Detail == "" {
					t.Errorf("%s: no detail", key)
				}
				if f.Status != deliverability.OK && f.Status != deliverability.Warn && f.Publish == nil && key != "localhost From" && key != "192.0.2.1 From" && key != "example.com DKIM" && f.Status != deliverability.Error {
					t.Errorf("%s is %s but proposes no record", key, f.Status)
				}
				if f.Publish != nil && tt.publish[key] != "" {
					published[key] = f.Publish.String()
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s\nfindings: %s", diff, dump(rep))
			}
			if tt.publish != nil {
				if diff := cmp.Diff(tt.publish, published); diff != "" {
					t.Errorf("records to publish (-want +got):\n%s", diff)
				}
			}
			wantFailed := false
			for _, s := range tt.want {
				wantFailed = wantFailed || s == deliverability.Missing || s == deliverability.Error
			}
			if rep.Failed() != wantFailed {
				t.Errorf("Failed() = %v, want %v", rep.Failed(), wantFailed)
			}
		})
	}
}

// TestCheckEndsWithItsContext points the checks at a server that does not
// answer: they must give up when the context ends, with Error findings.
func TestCheckEndsWithItsContext(t *testing.T) {
	srv := dnstest.Serve(t)
	srv.Silent(true)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep := deliverability.Check(ctx, srv.Resolver(), config(t))
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Check took %v after its context ended", took)
	}
	if !rep.Failed() || len(rep.Findings) == 0 {
		t.Errorf("Failed() = %v with %d findings, want errors", rep.Failed(), len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if f.Status == deliverability.OK && f.Check != "Gmail/Yahoo" { // a fact about Bulletin's mail, not the DNS
			t.Errorf("%s %s ok with no DNS", f.Domain, f.Check)
		}
	}
}

func TestRecordString(t *testing.T) {
	long := strings.Repeat("a", 300)
	got := deliverability.Record{Name: "s1._domainkey.example.com", Type: "TXT", Value: long}.String()
	want := `s1._domainkey.example.com TXT "` + long[:255] + `" "` + long[255:] + `"`
	if got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func quoted(v string) string {
	parts := dkim.SplitTXT(v)
	for i, p := range parts {
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, " ")
}

func rsaRecord(t *testing.T, domain string) string { k, _ := dkimtest.Keys(t); return k.Record(domain) }
func edRecord(t *testing.T, domain string) string  { _, k := dkimtest.Keys(t); return k.Record(domain) }

func dump(r deliverability.Report) string {
	var lines []string
	for _, f := range r.Findings {
		p := ""
		if f.Publish != nil {
			p = " → " + f.Publish.String()
		}
		lines = append(lines, fmt.Sprintf("\n  %s %s %s: %s%s", f.Domain, f.Check, f.Status, f.Detail, p))
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}
