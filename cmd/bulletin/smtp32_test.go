package main

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// SMTP says EHLO with the domain of the From in force: the one saved in
// the settings, else BULLETIN_FROM's, else "localhost". With the From
// set only in the settings, a relay used to see "EHLO localhost".
func TestSMTPHelloNamesTheFromInForce(t *testing.T) {
	for _, tc := range []struct {
		name, env, saved, want string
	}{
		{"saved only", "", "news@example.com", "example.com"},
		{"saved wins", "Desk <desk@env.example>", "news@example.com", "example.com"},
		{"variable only", "Desk <desk@env.example>", "", "env.example"},
		{"neither", "", "", "localhost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hellos smtptest.Hellos
			srv := smtptest.Start(t, smtptest.WithHellos(&hellos))
			data := t.TempDir()
			if tc.saved != "" {
				saveSettings(t, data, pubsettings.Publication{FromAddress: tc.saved})
			}
			m, _, _ := testMain(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": srv.URL(), "BULLETIN_FROM": tc.env})
			ctx := context.Background()
			if _, err := m.ParseFlags("serve", nil, nil); err != nil {
				t.Fatal(err)
			}
			err := m.openAll(ctx)
			defer m.Close()
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("From: news@example.com\r\nTo: r@example.org\r\nSubject: hi\r\n\r\nHello.\r\n")
			if err := m.app.Transport.Send(ctx, "news@example.com", []string{"r@example.org"}, msg); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tc.want}, hellos.Names()); diff != "" {
				t.Errorf("EHLO names (-want +got):\n%s", diff)
			}
		})
	}
}
