package subscribers

import (
	"errors"
	"testing"
	"time"
)

// A data link's token works until its second and not after, for its own
// purpose only: no other purpose's token, nor Sign's or SignList's of
// the same purpose, passes for it, and it passes for none of them.
func TestSignUntilIsBoundToItsPurposeAndSecond(t *testing.T) {
	s := NewSigner([]byte("k"))
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return at }
	until := at.Add(time.Hour)
	tok := s.SignUntil(TokenDataDownload, 42, until)

	id, got, err := s.VerifyUntil(TokenDataDownload, tok)
	if err != nil || id != 42 || !got.Equal(until) {
		t.Fatalf("VerifyUntil = %d, %v, %v; want 42, %v, nil", id, got, err, until)
	}
	s.now = func() time.Time { return until.Add(-time.Second) }
	if _, _, err := s.VerifyUntil(TokenDataDownload, tok); err != nil {
		t.Errorf("a second before its end: %v", err)
	}
	s.now = func() time.Time { return until }
	if _, _, err := s.VerifyUntil(TokenDataDownload, tok); !errors.Is(err, ErrExpiredToken) || !errors.Is(err, ErrBadToken) {
		t.Errorf("at its end: %v, want ErrExpiredToken, an ErrBadToken", err)
	}
	s.now = func() time.Time { return at }

	if _, _, err := s.VerifyUntil(TokenDataErase, tok); !errors.Is(err, ErrBadToken) || errors.Is(err, ErrExpiredToken) {
		t.Errorf("the download's token as the erase's: %v, want ErrBadToken", err)
	}
	for _, p := range []string{TokenDataDownload, TokenDataErase, TokenPreferences, TokenUnsubscribe, TokenConfirm} {
		if _, err := s.Verify(p, tok); err == nil {
			t.Errorf("the download's token passes Verify(%q)", p)
		}
	}
	if _, _, err := s.VerifyList(tok); err == nil {
		t.Error("the download's token passes VerifyList")
	}
	for _, other := range []string{
		s.Sign(TokenDataDownload, 42, time.Hour),
		s.Sign(TokenPreferences, 42, 0),
		s.Sign(TokenUnsubscribe, 42, 0),
		s.Sign(TokenConfirm, 42, 0),
		s.SignList(42, 7),
		signUnsealed(s, TokenDataDownload, 42, uint32(until.Unix())),
		s.SignUntil(TokenDataErase, 42, until),
	} {
		if id, _, err := s.VerifyUntil(TokenDataDownload, other); err == nil {
			t.Errorf("%s passes for a download link of %d", other, id)
		}
	}
	// One character of the sealed block changed.
	bad := []byte(tok)
	bad[10] ^= 'A' ^ 'B'
	if _, _, err := s.VerifyUntil(TokenDataDownload, string(bad)); err == nil || errors.Is(err, ErrExpiredToken) {
		t.Errorf("an altered token: %v, want ErrBadToken, not expired", err)
	}
}
