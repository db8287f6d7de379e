// Package loopback gives tests addresses on the loopback interface, the
// only one Bulletin's tests, benchmarks and tools send traffic to.
package loopback

import (
	"net"
	"testing"
)

// ClosedAddr returns a 127.0.0.1 address, host and port, that nothing
// listens on: a server that was there and is gone. A dial to it is
// refused at once, without a packet leaving the machine.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
