package main

import (
	"context"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// noNetwork is the resolver of a machine whose network is unreachable:
// every lookup fails at its dial, and nothing is sent.
var noNetwork = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
}}

// With the DNS unreachable, doctor said "publish or fix the records
// above" of records it never saw. It says the lookups could not be made
// and the records were not checked, and what to look at; still exit 1,
// as nothing is known to be in place. A record it knows is missing
// without asking (no DKIM key) is still one to publish.
func TestDoctorWithoutDNSSaysNothingWasChecked(t *testing.T) {
	env := map[string]string{
		"BULLETIN_DATA":          t.TempDir(),
		"BULLETIN_FROM":          "Harbour Gazette <news@harbour.test>",
		"BULLETIN_SMTP_URL":      "smtp://smtp.relay.test:587?tls=starttls",
		"BULLETIN_BOUNCE_DOMAIN": "bounces.harbour.test",
	}
	doctor := func() (int, string) {
		t.Helper()
		m, _, stderr := testMain(t, env)
		m.Resolver = noNetwork
		return m.Main(context.Background(), []string{"doctor"}), stderr.String()
	}
	code, stderr := doctor()
	saidOneLine(t, []string{"doctor", "(no DNS, no DKIM key)"}, code, stderr, 1,
		"bulletin doctor: 1 of 6 checks failed: publish or fix the records above",
		"4 more could not be made: the DNS lookups they need got no answer (network is unreachable), so those records were not checked",
		"check that this machine reaches its DNS resolver")

	m, stdout, stderr0 := testMain(t, env)
	m.Resolver = noDNS
	if code := m.Main(context.Background(), []string{"dkim", "keygen", "--selector", "s1"}); code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, stdout, stderr0)
	}
	env["BULLETIN_DKIM_SELECTOR"] = "s1"
	code, stderr = doctor()
	saidOneLine(t, []string{"doctor", "(no DNS)"}, code, stderr, 1,
		"bulletin doctor: 5 of 6 checks could not be made: the DNS lookups they need got no answer (network is unreachable), "+
			"so those records were not checked, not found wrong: check that this machine reaches its DNS resolver")
	if strings.Contains(stderr, "publish") {
		t.Errorf("doctor says to publish records it never saw: %s", stderr)
	}
}
