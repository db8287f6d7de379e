package mailer

import (
	"os"
	"syscall"
)

// mapJournal maps size bytes of f, shared: what is stored there is in the
// page cache at once. f holds size bytes already, written (see mapFile).
func mapJournal(f *os.File, size int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmapJournal(mem []byte) error { return syscall.Munmap(mem) }
