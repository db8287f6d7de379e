//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A dataLock is a process's hold on its data folder: an exclusive flock on
// DATA/serve.lock, which holds the holder's pid. The kernel releases it
// when the process ends, however it ends, so a kill -9 leaves no stale
// lock behind: only a stale pid, which the next holder overwrites.
type dataLock struct{ f *os.File }

// lockData takes the data folder's lock, or returns a usage error that
// names the process holding it and ends with fix.
func lockData(dir, fix string) (*dataLock, error) {
	if err := checkDataDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "serve.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, dataDirError(dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, usagef("another bulletin serve (pid %s) runs on the data folder %s: %s", holder(f), dir, fix)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteAt(pid, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

// holder returns the pid written in the lock file, or "unknown" when the
// holder has not written it yet.
func holder(f *os.File) string {
	buf, _ := io.ReadAll(io.LimitReader(f, 32))
	if pid := strings.TrimSpace(string(buf)); pid != "" {
		return pid
	}
	return "unknown"
}

// Close releases the lock. The file stays: removing it would let a
// process that opened it just before hold a lock on a file no one else
// can find.
func (l *dataLock) Close() error {
	return l.f.Close()
}
