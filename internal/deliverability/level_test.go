package deliverability_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability"
)

// A finding whose check could not be made has a level of its own,
// NotChecked, counted apart from the records missing or wrong; the report
// says why its lookups got no answer without the name and server.
func TestNotCheckedIsALevelOfItsOwn(t *testing.T) {
	rep := deliverability.Report{
		Findings: []deliverability.Finding{
			{Check: "SPF", Status: deliverability.Error, Unchecked: true},
			{Check: "DKIM s1", Status: deliverability.Error},
			{Check: "DMARC", Status: deliverability.Missing},
			{Check: "MX", Status: deliverability.OK},
			{Check: "Gmail/Yahoo", Status: deliverability.Warn},
		},
		LookupErr: &net.DNSError{Err: "dial udp: connect: network is unreachable", Name: "example.com", Server: "10.0.0.1:53"},
	}
	want := []deliverability.Status{deliverability.NotChecked, deliverability.Error, deliverability.Missing, deliverability.OK, deliverability.Warn}
	for i, f := range rep.Findings {
		if got := f.Level(); got != want[i] {
			t.Errorf("%s: level %q, want %q", f.Check, got, want[i])
		}
	}
	if wrong, unchecked := rep.Count(); wrong != 2 || unchecked != 1 {
		t.Errorf("Count() = %d wrong, %d unchecked; want 2, 1", wrong, unchecked)
	}
	if got := rep.LookupReason(); got != "network is unreachable" {
		t.Errorf("LookupReason() = %q", got)
	}
	only := deliverability.Report{Findings: rep.Findings[:1], LookupErr: errors.New("lookup example.com: i/o timeout")}
	if wrong, unchecked := only.Count(); wrong != 0 || unchecked != 1 || !only.Failed() {
		t.Errorf("a report of one check not made: Count() = %d, %d, Failed() = %v; want 0, 1, true", wrong, unchecked, only.Failed())
	}
	if got := only.LookupReason(); got != "i/o timeout" {
		t.Errorf("LookupReason() = %q", got)
	}
	// A lookup cut off by the check's time limit, or timed out by the
	// resolver, is said in words, not as Go's error text.
	for _, err := range []error{
		fmt.Errorf("lookup example.com: %w", context.DeadlineExceeded),
		&net.DNSError{Err: "i/o timeout", Name: "example.com", Server: "10.0.0.1:53", IsTimeout: true},
	} {
		rep := deliverability.Report{Findings: rep.Findings[:1], LookupErr: err}
		if got := rep.LookupReason(); got != "timed out" {
			t.Errorf("LookupReason() of %v = %q", err, got)
		}
	}
}
