package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Commands started together on a new data folder (serve and an import,
// say) agree on one secret. The one that found no DATA/secret when it
// looked, and a fingerprint recorded by the other when it came to record
// its own, was refused with "the links in mail already sent were signed
// with a secret", on a folder that had sent nothing; one reading the file
// while the other wrote it could find it empty and call it damaged.
func TestSecretCommandsStartedTogetherAgree(t *testing.T) {
	const commands = 6
	for round := range 4 {
		data := t.TempDir()
		errs := make([]error, commands)
		var wg sync.WaitGroup
		for i := range commands {
			wg.Go(func() { errs[i] = openWith(t, map[string]string{"BULLETIN_DATA": data}) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, command %d: %v", round, i, err)
			}
		}
		file, err := readSecretFile(filepath.Join(data, "secret"))
		if err != nil || file == nil {
			t.Fatalf("round %d: DATA/secret %q, %v", round, file, err)
		}
		// Exactly one secret was made: nothing else is left in the folder.
		left, _ := filepath.Glob(filepath.Join(data, ".secret-*"))
		if len(left) > 0 {
			t.Errorf("round %d: temporary files left: %v", round, left)
		}
		// And every later start agrees with it.
		if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": string(file)}); err != nil {
			t.Errorf("round %d: a start with DATA/secret's value: %v", round, err)
		}
	}
}

// A DATA/secret made beside this command is taken, not replaced.
func TestCreateSecretKeepsOneMadeBeside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	first, err := createSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := createSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Errorf("second createSecret = %q, want the file's %q", second, first)
	}
	buf, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(buf)) != string(first) {
		t.Errorf("file %q, %v", buf, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", fi.Mode(), err)
	}
}

// On a file system without hard links (SMB, some FUSE mounts) the secret
// is made in place, as it was before it was linked into place: the first
// start on such a data folder stopped at "create secret".
func TestCreateSecretWithoutHardLinks(t *testing.T) {
	linkFile = func(string, string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
	t.Cleanup(func() { linkFile = os.Link })
	path := filepath.Join(t.TempDir(), "secret")
	made, err := createSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := createSecret(path)
	if err != nil || string(again) != string(made) {
		t.Errorf("second createSecret = %q, %v; want the file's %q", again, err, made)
	}
	buf, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(buf)) != string(made) {
		t.Errorf("file %q, %v", buf, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".secret-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
