package dkim_test

import (
	"testing"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
)

// A field added on top of a signed message breaks both signatures, one
// the message has (a second List-Unsubscribe a receiver would read first)
// and one it lacks (Reply-To): h= names each signed field once more than
// the message has it (RFC 6376 §8.15), where a field named once covers
// only its last instance (§5.4.2).
func TestAddedFieldBreaksSignature(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	signed, err := dkim.NewSigner([]dkim.Key{rsa, ed}, nil).Sign(nil, []byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	dkimtest.RequireValid(t, signed, "harbour.test", 2, rsa, ed)
	for _, added := range []string{
		"List-Unsubscribe: <https://evil.example/unsubscribe>\r\n",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		"List-Id: Prizes <prizes.evil.example>\r\n",
		"Subject: You won a prize\r\n",
		"To: victim@example.net\r\n",
		"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n",
		"Message-ID: <2@harbour.test>\r\n",
		"MIME-Version: 1.0\r\n",
		"Content-Type: text/html; charset=utf-8\r\n",
		"Reply-To: prizes@evil.example\r\n",
	} {
		tampered := append([]byte(added), signed...)
		for _, v := range dkimtest.Verify(t, tampered, "harbour.test", rsa, ed) {
			if v.Err == nil {
				t.Errorf("signature %v still verifies with %q added on top", v.HeaderKeys, added)
			}
		}
	}
}
