package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// walFilesError says what is wrong when SQLite failed (err) to read the
// database src, in the data folder data, because the -wal and -shm files
// beside it cannot be read by this user: serve keeps them while it runs,
// with the database's owner and a mode (0600) that shuts others out, and
// SQLite reads a database in WAL mode through them. It said "unable to
// open database file", of a file this user could read. walFilesError
// returns nil when err is not SQLite's or those files can be read (or are
// not there): then they are not the cause.
func walFilesError(data, src string, err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return nil
	}
	var denied []string
	var first os.FileInfo
	for _, f := range []string{src + "-wal", src + "-shm"} {
		r, err := os.Open(f)
		if err == nil {
			r.Close()
			continue
		}
		if !errors.Is(err, os.ErrPermission) {
			continue
		}
		denied = append(denied, f)
		if st, err := os.Stat(f); err == nil && first == nil {
			first = st
		}
	}
	if len(denied) == 0 {
		return nil
	}
	files := "the file " + denied[0]
	if len(denied) == 2 {
		files = "the files " + strings.Join(denied, " and ")
	}
	owner, mode, ok := "", "", false
	if first != nil {
		owner, ok = otherOwner(first)
		mode = fmt.Sprintf("%#o", first.Mode().Perm())
	}
	fix := "run bulletin backup as the user bulletin serve runs as (ls -l " + denied[0] + " names it)"
	whose := ""
	if ok {
		fix = "run bulletin backup as " + owner + ", the user bulletin serve runs as"
		whose = " and which belong to " + owner
	}
	if mode != "" {
		whose += " (mode " + mode + ")"
	}
	if canWriteIn(data) {
		// Stopped, serve leaves neither file, and this user can make the
		// -shm SQLite then needs: without that, stopping serve is no fix.
		fix += ", or stop bulletin serve first (it removes them when it stops)"
	}
	return fmt.Errorf("this user can read the database %s but not %s beside it, which bulletin serve keeps while it runs%s: %s",
		src, files, whose, fix)
}
