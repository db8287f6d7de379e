//go:build unix

package main

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// otherOwner names the user who owns the file st describes, by its name
// or else its number; ok is false when that user is this one, or the
// owner cannot be told.
func otherOwner(st os.FileInfo) (owner string, ok bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || int(sys.Uid) == os.Geteuid() {
		return "", false
	}
	uid := strconv.FormatUint(uint64(sys.Uid), 10)
	if u, err := user.LookupId(uid); err == nil {
		return u.Username, true
	}
	return "the user with uid " + uid, true
}
