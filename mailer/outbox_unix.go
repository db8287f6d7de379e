//go:build unix

package mailer

import (
	"os"
	"syscall"
)

// writeNewFile creates path, which must not exist, with head followed by
// body, and removes what it created when it fails. It makes only open(2),
// write(2) (writev(2) on Linux) and close(2) calls: an *os.File adds
// fcntl(2) and epoll_ctl(2) calls with which it tries, and for a regular
// file fails, to join the poller.
func writeNewFile(path string, head, body []byte) error {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	if err := writeParts(fd, head, body); err != nil {
		syscall.Close(fd)
		os.Remove(path)
		return &os.PathError{Op: "write", Path: path, Err: err}
	}
	if err := syscall.Close(fd); err != nil {
		os.Remove(path)
		return &os.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// renameNew renames oldpath to newpath, a name nothing has: os.Rename
// first asks lstat(2) whether newpath is a directory, a system call a mail
// the outbox does not need.
func renameNew(oldpath, newpath string) error {
	if err := syscall.Rename(oldpath, newpath); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}
