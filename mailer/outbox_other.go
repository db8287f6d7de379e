//go:build !unix

package mailer

import "os"

// writeNewFile creates path, which must not exist, with head followed by
// body, and removes what it created when it fails.
func writeNewFile(path string, head, body []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(head)
	if err == nil {
		_, err = f.Write(body)
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// renameNew renames oldpath to newpath, a name nothing has.
func renameNew(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }
