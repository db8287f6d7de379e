package subscribers

import (
	"testing"
	"time"
)

// ConfirmLinkUntil says when a confirmation link stops working as its
// token has it: Sign rounds the expiry up to the next whole hour, so the
// admin page's "works until" is that hour, not the mail's time plus
// ConfirmTTL (which said an hour too early, or less).
func TestConfirmLinkUntilIsTheTokensExpiry(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	for _, sent := range []time.Time{
		time.Date(2026, 12, 6, 11, 7, 30, 0, time.UTC),
		time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 6, 11, 59, 59, 0, time.UTC),
	} {
		s.now = func() time.Time { return sent }
		tok := s.Sign(ConfirmPurpose(sent), 7, ConfirmTTL)
		until := ConfirmLinkUntil(sent)
		if until.Before(sent.Add(ConfirmTTL)) {
			t.Errorf("sent %v: until %v is before ConfirmTTL", sent, until)
		}
		s.now = func() time.Time { return until.Add(-time.Second) }
		if _, err := s.Verify(ConfirmPurpose(sent), tok); err != nil {
			t.Errorf("sent %v: the link fails a second before %v: %v", sent, until, err)
		}
		s.now = func() time.Time { return until }
		if _, err := s.Verify(ConfirmPurpose(sent), tok); err == nil {
			t.Errorf("sent %v: the link still works at %v", sent, until)
		}
	}
}
