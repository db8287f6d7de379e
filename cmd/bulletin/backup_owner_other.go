//go:build !unix

package main

import "os"

// otherOwner cannot tell a file's owner where files have no uid: the
// backup's message then says how to find it instead.
func otherOwner(st os.FileInfo) (owner string, ok bool) {
	return "", false
}
