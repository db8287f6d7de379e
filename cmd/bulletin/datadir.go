package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// checkDataDir makes sure the data folder exists and that this process
// can create files in it and write the database, so that a read-only or
// misplaced folder stops a command at once with a line that says what to
// fix, not with SQLite's "attempt to write a readonly database" later.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return dataDirError(dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return dataDirError(dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	for _, name := range []string{"bulletin.db", "bulletin.db-wal", "bulletin.db-shm"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return dataDirError(dir, err)
		}
		f.Close()
	}
	return nil
}

// checkDataDirPath refuses, as checkDataDir would but without making or
// writing anything, a data folder that is a file, is under one, or cannot
// be looked at; one that does not exist yet passes.
func checkDataDirPath(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return dataDirError(dir, err)
	case !st.IsDir():
		return dataDirError(dir, syscall.ENOTDIR)
	}
	return nil
}

// dataDirError turns a failure to write in the data folder into a usage
// error (exit status 2) when it is about permissions or the path, and
// wraps it (exit status 1) otherwise.
func dataDirError(dir string, err error) error {
	var why string
	switch {
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		why = "permission denied"
	case errors.Is(err, syscall.EROFS):
		why = "the file system is read-only"
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EEXIST):
		why = "it, or a folder above it, is a file"
	case errors.Is(err, syscall.ENOENT):
		// MkdirAll made every folder it could: the file system refused
		// one (as /proc and /sys do) or took it away meanwhile.
		why = "the folder cannot be made there"
	default:
		return fmt.Errorf("data folder %s: %w", dir, err)
	}
	return usagef("BULLETIN_DATA %s cannot be written (%s): give a folder this user can write, "+
		"for example by chown to the user Bulletin runs as, or set BULLETIN_DATA to another one", dir, why)
}

// warnOpenDatabase says, at start, when the database can be read by every
// user of the machine, as one created by an older Bulletin or copied in
// with the umask's 0644 can: it holds every reader's address and the
// webhooks' secrets. A data folder others cannot enter (the 0750 Bulletin
// makes) keeps them out whatever the file's mode, so it is not said then.
// The mode is left as it is, since its owner may have opened it on
// purpose; the line says how to close it.
func (m *Main) warnOpenDatabase() {
	if st, err := os.Stat(m.Config.Data); err != nil || st.Mode().Perm()&0o001 == 0 {
		return
	}
	path := filepath.Join(m.Config.Data, "bulletin.db")
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(name)
		if err != nil || st.Mode().Perm()&0o004 == 0 {
			continue
		}
		m.Log.Warn(fmt.Sprintf("%s can be read by every user of this machine, and it holds every reader's address; "+
			"stop Bulletin and run chmod 600 %s*, or chmod 640 to share it with a group", filepath.Base(name), path),
			"mode", st.Mode().Perm().String())
		return
	}
}
