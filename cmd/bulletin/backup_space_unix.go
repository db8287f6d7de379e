//go:build linux || darwin || freebsd

package main

import "syscall"

// diskFree returns the bytes on the disk of dir that users may still
// write (df's Avail), and whether it could tell. It counts, for root too,
// without the blocks the file system keeps for root: ext4 refused root's
// copy with those still counted free.
func diskFree(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
