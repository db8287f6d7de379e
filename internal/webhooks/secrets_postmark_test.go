package webhooks

import (
	"strings"
	"testing"
)

// A Postmark password saved in the settings has at least
// MinPostmarkPassword characters: basic auth is all that guards the
// webhook, and it answers as fast as it is asked.
func TestPostmarkPasswordLength(t *testing.T) {
	for _, tt := range []struct {
		secret string
		weak   bool
	}{
		{"hook:short", true},
		{"hook:sixteen-chars-xy", false},
		{"hook:123456789012345", true},
		{"hook:1234567890123456", false},
		{"hook:ÆØÅæøåÆØÅæøåÆØÅæ", false}, // counted in characters
	} {
		if got := WeakPostmarkPassword(tt.secret); got != tt.weak {
			t.Errorf("WeakPostmarkPassword(%q) = %v, want %v", tt.secret, got, tt.weak)
		}
		msg := checkSecret("postmark", tt.secret)
		if tt.weak != strings.Contains(msg, "at least 16 characters") {
			t.Errorf("checkSecret(%q) = %q", tt.secret, msg)
		}
	}
}
