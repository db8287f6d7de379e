//go:build unix && !linux

package mailer

import (
	"errors"
	"syscall"
)

// writeParts writes head then body to fd, a write(2) each.
func writeParts(fd int, head, body []byte) error {
	if err := writeAll(fd, head); err != nil {
		return err
	}
	return writeAll(fd, body)
}

// writeAll writes data to fd, through short writes and interruptions.
func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
