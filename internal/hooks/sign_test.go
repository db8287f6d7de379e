package hooks

import (
	"strings"
	"testing"
)

// The published Standard Webhooks vector, and random secrets checked by
// the test's own verifier.
func TestSignMatchesStandardWebhooks(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign(vector) = %q, want %q", got, want)
	}
	for range 20 {
		secret, id, body := NewSecret(), NewMessageID(), []byte(`{"type":"subscriber.created","data":{"id":1}}`)
		if !strings.HasPrefix(secret, "whsec_") || len(secret) != len("whsec_")+44 {
			t.Fatalf("NewSecret() = %q, want whsec_ and the base64 of 32 bytes", secret)
		}
		sig, err := Sign(secret, id, 1700000000, body)
		if err != nil {
			t.Fatal(err)
		}
		if !verify(secret, id, "1700000000", body, sig) {
			t.Errorf("independent verifier refuses %q for %s", sig, id)
		}
		if verify(secret, id, "1700000001", body, sig) {
			t.Errorf("verifier accepts %q for another timestamp", sig)
		}
	}
	if _, err := Sign("whsec_c2hvcnQ=", "msg_x", 1, nil); err == nil {
		t.Error("Sign with a 5-byte key: no error, want one")
	}
}
