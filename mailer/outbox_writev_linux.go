package mailer

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// writeParts writes head then body to fd with writev(2), resuming after a
// short write or an interruption.
func writeParts(fd int, head, body []byte) error {
	parts := [][]byte{head, body}
	for len(parts) > 0 {
		n, err := unix.Writev(fd, parts)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		parts = advance(parts, n)
	}
	return nil
}

// advance drops the first n bytes written from parts: the parts written
// whole, and the start of the one a short write ended in.
func advance(parts [][]byte, n int) [][]byte {
	for len(parts) > 0 && n >= len(parts[0]) {
		n -= len(parts[0])
		parts = parts[1:]
	}
	if len(parts) > 0 {
		parts[0] = parts[0][n:]
	}
	return parts
}
