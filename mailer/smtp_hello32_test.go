package mailer

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// Each new connection says EHLO with what Hello gives then, HelloName
// when it gives nothing: serve's From can be changed in the settings
// while it runs.
func TestSMTPHelloAtEachConnection(t *testing.T) {
	var hellos smtptest.Hellos
	srv := smtptest.Start(t, smtptest.WithHellos(&hellos))
	var name atomic.Value
	name.Store("")
	s := newSMTP(t, srv, func(c *SMTPConfig) {
		c.Conns = 1
		c.HelloName = "env.example"
		c.Hello = func() string { return name.Load().(string) }
	})
	ctx := context.Background()
	for _, n := range []string{"", "news.example.com", "other.example.org"} {
		name.Store(n)
		srv.DropConns() // the next message dials anew
		if err := s.Send(ctx, "a@x.test", []string{"r@example.com"}, []byte(testMsg)); err != nil {
			t.Fatalf("send with hello %q: %v", n, err)
		}
	}
	if diff := cmp.Diff([]string{"env.example", "news.example.com", "other.example.org"}, hellos.Names()); diff != "" {
		t.Errorf("EHLO names (-want +got):\n%s", diff)
	}
}

// host:port without smtp:// gets an error that says what to write, not
// url.Parse's "first path segment in URL cannot contain colon".
func TestParseSMTPURLWithoutScheme(t *testing.T) {
	for _, raw := range []string{"127.0.0.1:25", "relay.example.com:587", "relay.example.com"} {
		_, err := ParseSMTPURL(raw)
		if err == nil {
			t.Fatalf("%s: no error", raw)
		}
		msg := err.Error()
		for _, want := range []string{"has no scheme", "smtp://host:port", "smtps://host:port", "like smtp://" + raw} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q lacks %q", raw, msg, want)
			}
		}
		if strings.Contains(msg, "first path segment") {
			t.Errorf("%s: error %q is url.Parse's", raw, msg)
		}
	}
}
