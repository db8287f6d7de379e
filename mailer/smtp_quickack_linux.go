package mailer

import (
	"net"
	"syscall"
)

// quickAck asks Linux to acknowledge what arrives on c at once rather than
// after the delayed-ACK timer (up to 40 ms). Some servers write the
// replies to a pipelined group in more than one small write; with Nagle's
// algorithm on their side, the second waits for the ACK of the first,
// which a client with nothing to send would otherwise hold back. Postfix
// does this with BDAT, costing every message 40 ms. Quick-ACK mode does
// not last, so it is asked for again before each wait for replies.
func quickAck(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
