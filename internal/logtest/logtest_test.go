package logtest

import (
	"log/slog"
	"slices"
	"testing"
)

// Lines finds a message as slog's text handler writes it, quoted or not,
// and only a whole message: "sent" is not "campaign sent" nor "sentinel".
func TestLines(t *testing.T) {
	var b Buffer
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("campaign sent", "n", 1)
	log.Info("sent")
	log.Info("sentinel", "n", 2)
	log.Warn("sent", "n", 3)
	if got := b.Lines("campaign sent"); len(got) != 1 || !slices.ContainsFunc(got, func(l string) bool { return l[len(l)-3:] == "n=1" }) {
		t.Errorf(`Lines("campaign sent") = %q, want the one line`, got)
	}
	if got := b.Lines("sent"); len(got) != 2 {
		t.Errorf(`Lines("sent") = %q, want the two lines whose message is "sent"`, got)
	}
	if got := b.Lines("nothing"); got != nil {
		t.Errorf(`Lines("nothing") = %q, want none`, got)
	}
}
