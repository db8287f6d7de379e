package mailer

import (
	"os"
	"syscall"
)

// mapJournal maps size bytes of f, shared: what is stored there is in the
// page cache at once. The file's blocks are allocated first: a store into
// a page the file system cannot back (a full disk) would kill the process
// with SIGBUS, where a failed allocation here only leaves the journal to
// write(2).
func mapJournal(f *os.File, size int) ([]byte, error) {
	fd := int(f.Fd())
	if err := syscall.Fallocate(fd, 0, 0, int64(size)); err != nil {
		return nil, &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
	}
	return syscall.Mmap(fd, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmapJournal(mem []byte) error { return syscall.Munmap(mem) }
