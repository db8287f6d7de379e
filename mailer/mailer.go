// Package mailer builds messages and delivers them: composing with
// jordan-wright/email, and transports that put the bytes on the wire (SMTP)
// or in the outbox folder.
package mailer

import (
	"context"
	"errors"
)

// A Transport delivers one composed message to its recipients. from is the
// envelope sender (MAIL FROM). Send must not keep msg once it returns:
// callers compose the next message into the same bytes.
type Transport interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// An Envelope is what a Transport needs besides the bytes.
type Envelope struct {
	From string
	To   []string
}

// ErrPermanent marks a failure that retrying cannot fix (an SMTP 5xx). A
// Transport wraps it so callers can tell a bounce from a temporary failure.
var ErrPermanent = errors.New("permanent failure")

// A SendError is an SMTP reply that refused a message or recipient.
type SendError struct {
	Code      int    // SMTP reply code, 0 for a network error
	Message   string // the server's text
	Permanent bool   // a 5xx reply
	// rcpt says the reply refused the RCPT TO of the message's address
	// for that address alone (recipientRefused), not the sender, the
	// client or every recipient alike.
	rcpt bool
}

// Error implements the error interface.
func (e *SendError) Error() string {
	if e.Code == 0 {
		return e.Message
	}
	return itoa(e.Code) + " " + e.Message
}

// Is lets errors.Is(err, ErrPermanent) recognise a 5xx.
func (e *SendError) Is(target error) bool { return target == ErrPermanent && e.Permanent }

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}
