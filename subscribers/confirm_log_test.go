package subscribers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// failingTransport refuses every message the way a relay does, naming the
// recipient in its answer.
type failingTransport struct{}

func (failingTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	return errors.New("550 5.1.1 <" + to[0] + ">: mailbox unavailable")
}

// A confirmation that cannot be sent leaves one warning in the log with
// the reason, and neither the address nor the link's token.
func TestFailedConfirmationLogsOneWarning(t *testing.T) {
	e := newSignupEnv(t)
	var logs bytes.Buffer
	e.c.Log = slog.New(slog.NewTextHandler(&logs, nil))
	e.c.Transport = failingTransport{}
	signups := NewSignups(e.store, e.q, nil)
	err := signups.Signup(context.Background(), &Signup{Email: "Rae.Doe@example.com", Lists: []string{"news"}})
	signups.Close()
	if err != nil || len(e.q.tasks) != 1 {
		t.Fatalf("signup: %v, %d tasks", err, len(e.q.tasks))
	}
	if err := e.c.ProcessTask(context.Background(), e.q.tasks[0]); err == nil {
		t.Fatal("a failed send was not returned for a retry")
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "mailbox unavailable") ||
		!strings.Contains(lines[0], "example.com") {
		t.Fatalf("log, want one warning with the reason and the domain:\n%s", logs.String())
	}
	token := e.c.Signer.Sign(TokenConfirm, 1, ConfirmTTL)
	for _, secret := range []string{"Rae.Doe", "rae.doe", token, "/confirm/"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
	}
}
