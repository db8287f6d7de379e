package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// TestSMTPTLSModes sends through each tls mode to a server that records
// whether every message it took came over an encrypted session, so a mode
// that forgets to upgrade (or upgrades when told not to) is caught by
// what the server saw, not by what it offered.
func TestSMTPTLSModes(t *testing.T) {
	tests := []struct {
		name    string
		opts    []smtptest.Option
		mode    TLSMode
		wantTLS bool
	}{
		{"auto upgrades when STARTTLS is offered", []smtptest.Option{smtptest.WithStartTLS()}, TLSAuto, true},
		{"auto goes on in clear without STARTTLS", nil, TLSAuto, false},
		{"starttls upgrades", []smtptest.Option{smtptest.WithStartTLS()}, TLSStartTLS, true},
		{"none stays in clear though STARTTLS is offered", []smtptest.Option{smtptest.WithStartTLS()}, TLSNone, false},
		{"tls speaks TLS from the start", []smtptest.Option{smtptest.WithImplicitTLS()}, TLSImplicit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.opts...)
			s := newSMTP(t, srv, func(c *SMTPConfig) { c.TLS = tt.mode; c.Conns = 2 })
			// One message alone, then a batch over the pooled connections.
			if err := s.Send(context.Background(), "a@x.test", []string{"one@y.test"}, []byte(testMsg)); err != nil {
				t.Fatal(err)
			}
			for i, err := range s.SendBatch(context.Background(), batch(5, "b")) {
				if err != nil {
					t.Fatalf("batch message %d: %v", i, err)
				}
			}
			// Recipient → whether its message came over TLS.
			want := map[string]bool{"one@y.test": tt.wantTLS}
			for i := range 5 {
				want[fmt.Sprint("b", i, "@y.test")] = tt.wantTLS
			}
			msgs := srv.Messages()
			got := map[string]bool{}
			for _, m := range msgs {
				got[strings.Join(m.To, ",")] = m.TLS
			}
			if len(msgs) != len(want) {
				t.Errorf("server took %d messages, want %d", len(msgs), len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("messages as the server saw them (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSMTPAutoTLSNeverFallsBackToClear checks that tls=auto, when the
// server offers STARTTLS but its certificate cannot be verified, fails
// the message as temporary instead of sending it in clear: a fallback
// would let anyone on the path strip the encryption.
func TestSMTPAutoTLSNeverFallsBackToClear(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithStartTLS())
	s := newSMTP(t, srv, func(c *SMTPConfig) {
		c.TLS = TLSAuto
		c.TLSConfig = &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12} // trusts nothing
	})
	err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || errors.Is(err, ErrPermanent) {
		t.Errorf("send with an untrusted certificate: %v, want a temporary STARTTLS error", err)
	}
	if n := srv.Total(); n != 0 {
		t.Errorf("server took %d messages, want none", n)
	}
}
