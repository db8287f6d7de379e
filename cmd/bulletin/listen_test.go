package main

import (
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestListenSaysWhatToDoByReason: an address in use is for stopping what
// listens there; one this host does not have, or a port it may not take,
// is not (both said "stop what listens there", a tester's 10.255.255.1).
// The in-use case listens for real on 127.0.0.1; the others are errors
// as the kernel gives them, with no listen tried on another address.
func TestListenSaysWhatToDoByReason(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, err = listen(busy.Addr().String(), "serve")
	if err == nil || !strings.Contains(err.Error(), "stop what listens there, or give this serve another BULLETIN_ADDR") {
		t.Errorf("address in use: %v", err)
	}

	kernel := func(errno syscall.Errno) error {
		return &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", errno)}
	}
	for _, tc := range []struct {
		errno     syscall.Errno
		want, not string
	}{
		{syscall.EADDRNOTAVAIL, "this host has no such address", "stop what listens"},
		{syscall.EACCES, "a port of 1024 or more", "stop what listens"},
		{syscall.EADDRINUSE, "stop what listens there, or give this worker another BULLETIN_ADDR", "no such address"},
	} {
		got := listenAdvice(kernel(tc.errno), "worker")
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("%v: advice %q, want %q and not %q", tc.errno, got, tc.want, tc.not)
		}
	}
}
