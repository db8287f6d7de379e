package subscribers

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Token purposes of the links mailed to a reader who asks, on their
// preferences page, for their data (TokenDataDownload) or for its
// erasure (TokenDataErase). The preferences link travels in every mail,
// and with a mail its reader forwards: these links go to the address
// alone, and work for an hour (DataLinkTTL). Their tokens are made by
// SignUntil only.
const (
	TokenDataDownload = "data download"
	TokenDataErase    = "data erase"
)

// ErrExpiredToken is returned by VerifyUntil for a token signed as it
// should be whose time is up. It is an ErrBadToken too.
var ErrExpiredToken = fmt.Errorf("%w: its time is up", ErrBadToken)

// untilPurpose is the purpose a token of SignUntil is signed for: its
// payload's last 4 bytes hold a second, where Sign's hold an hour and
// SignList's a list, so no token of one kind passes for another, even
// of the same purpose.
func untilPurpose(purpose string) string { return purpose + " until" }

// SignUntil returns a token for purpose and subscriber id that works
// until the second until, for a link that must not outlive a short
// while: Sign counts in whole hours, so its one hour was up to two.
func (s *Signer) SignUntil(purpose string, id int64, until time.Time) string {
	sec := min(max(until.Unix(), 1), math.MaxUint32)
	return s.seal(untilPurpose(purpose), id, uint32(sec))
}

// VerifyUntil returns the subscriber id of a token SignUntil made for
// purpose, and the time it stops working. A token whose time is up is
// ErrExpiredToken; one altered, cut or of another purpose or kind is
// ErrBadToken. The MAC is checked in constant time before anything the
// token says is believed.
func (s *Signer) VerifyUntil(purpose, token string) (int64, time.Time, error) {
	payload, ok := s.checked(untilPurpose(purpose), token)
	if !ok {
		return 0, time.Time{}, ErrBadToken
	}
	id := int64(binary.BigEndian.Uint64(payload[:8]))
	if id <= 0 {
		return 0, time.Time{}, ErrBadToken
	}
	until := time.Unix(int64(binary.BigEndian.Uint32(payload[8:12])), 0)
	if !s.now().Before(until) {
		return 0, until, ErrExpiredToken
	}
	return id, until, nil
}
