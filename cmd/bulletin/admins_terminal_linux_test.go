package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// openPTY opens a pseudo-terminal and returns its two ends: the master,
// where a test types and reads what the terminal shows, and the
// terminal itself, a command's stdin. Both are closed when t ends.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	var n uint32
	var unlock int32
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		master.Close()
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		master.Close()
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	// The master first: the terminal's reader, if one is still blocked,
	// then gets an end of file.
	t.Cleanup(func() { master.Close(); tty.Close() })
	return master, tty
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// echoing reports whether the terminal echoes what is typed.
func echoing(t *testing.T, tty *os.File) bool {
	t.Helper()
	var tio syscall.Termios
	if err := ioctl(tty, syscall.TCGETS, unsafe.Pointer(&tio)); err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// waitEcho waits until the terminal's echo is on (or off).
func waitEcho(t *testing.T, tty *os.File, on bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); echoing(t, tty) != on; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal's echo is still %v after 10 s", !on)
		}
	}
}

// shown returns what the terminal showed of what was typed so far.
func shown(master *os.File) string {
	var out []byte
	buf := make([]byte, 1024)
	for {
		master.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := master.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}

// startAdminCreate runs "admin create EMAIL" with the terminal as stdin
// and returns where its exit status and stderr arrive.
func startAdminCreate(t *testing.T, ctx context.Context, env map[string]string, tty *os.File, email string) <-chan [2]string {
	t.Helper()
	m, _, stderr := testMain(t, env)
	m.Stdin = tty
	done := make(chan [2]string, 1)
	go func() {
		code := m.Main(ctx, []string{"admin", "create", email})
		done <- [2]string{fmt.Sprint(code), stderr.String()}
	}()
	return done
}

// On a terminal, "admin create" asks for the password on stderr, reads
// it with the echo off, twice, and sets it; it used to show it on the
// screen as it was typed.
func TestAdminCreateOnATerminalHidesThePassword(t *testing.T) {
	master, tty := openPTY(t)
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if !echoing(t, tty) {
		t.Fatal("a new terminal does not echo")
	}
	done := startAdminCreate(t, context.Background(), env, tty, "ed@example.com")
	waitEcho(t, tty, false)
	// Both lines at once: the terminal holds the second until it is read,
	// and echoes neither, its echo being off as they arrive.
	const password = "correct horse battery"
	if _, err := master.WriteString(password + "\n" + password + "\n"); err != nil {
		t.Fatal(err)
	}
	var got [2]string
	select {
	case got = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("admin create did not finish")
	}
	if got[0] != "0" {
		t.Fatalf("admin create: exit %s, stderr %q", got[0], got[1])
	}
	if screen := shown(master); strings.Contains(screen, "horse") {
		t.Errorf("the terminal showed the password: %q", screen)
	}
	if !strings.Contains(got[1], "Password for ed@example.com: ") || !strings.Contains(got[1], "Again: ") {
		t.Errorf("stderr = %q, want the prompts there", got[1])
	}
	if !echoing(t, tty) {
		t.Error("admin create left the terminal's echo off")
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := admins.NewStore(db).Login(context.Background(), "127.0.0.1", "ed@example.com", password); err != nil {
		t.Errorf("the password typed does not log in: %v", err)
	}
}

// Two different passwords typed are refused (exit 2), and so is none;
// nothing is created.
func TestAdminCreateOnATerminalRefusesMistypes(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		{"first long passphrase\nsecond long passphrase\n", "the two passwords differ"},
		{"\n", "type a password"},
	} {
		master, tty := openPTY(t)
		env := map[string]string{"BULLETIN_DATA": t.TempDir()}
		done := startAdminCreate(t, context.Background(), env, tty, "ed@example.com")
		waitEcho(t, tty, false)
		master.WriteString(tc.typed)
		got := <-done
		if got[0] != "2" || !strings.Contains(got[1], tc.want) {
			t.Errorf("typed %q: exit %s, stderr %q; want 2 and %q", tc.typed, got[0], got[1], tc.want)
		}
		if _, err := os.Stat(filepath.Join(env["BULLETIN_DATA"], "bulletin.db")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("typed %q: the database was opened: %v", tc.typed, err)
		}
	}
}

// Ctrl-C at the prompt (the signal ends the command's context) stops the
// command at once and gives the terminal its echo back.
func TestAdminCreateOnATerminalInterrupted(t *testing.T) {
	_, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := startAdminCreate(t, ctx, map[string]string{"BULLETIN_DATA": t.TempDir()}, tty, "ed@example.com")
	waitEcho(t, tty, false)
	cancel()
	select {
	case got := <-done:
		if got[0] != "1" || !strings.Contains(got[1], "interrupted") {
			t.Errorf("exit %s, stderr %q; want 1 and interrupted", got[0], got[1])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("admin create went on waiting for the password after Ctrl-C")
	}
	if !echoing(t, tty) {
		t.Error("the terminal's echo is still off")
	}
}
