package subscribers

import (
	"testing"
	"time"
)

// BenchmarkSign signs the two links a campaign puts in every message.
func BenchmarkSign(b *testing.B) {
	s := NewSigner([]byte("a secret that is long enough for tests"))
	for i := 0; b.Loop(); i++ {
		s.Sign(TokenUnsubscribe, int64(i), 0)
		s.Sign(TokenPreferences, int64(i), 30*24*time.Hour)
	}
}
