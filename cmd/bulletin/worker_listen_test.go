package main

import (
	"net"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A worker whose BULLETIN_ADDR another process listens on stops before it
// opens anything, Redis included (here one on a closed port, which would
// otherwise be what it reports), with what to do, as serve does: it used
// to start taking tasks first.
func TestWorkerOnABusyAddrStopsFirst(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	noRedis := closed.Addr().String()
	closed.Close()
	args := []string{"worker"}
	env := map[string]string{"BULLETIN_ADDR": busy.Addr().String(), "BULLETIN_REDIS_URL": "redis://" + noRedis + "/0", "BULLETIN_SMTP_URL": smtptest.Start(t).URL()}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "bulletin worker: listen on BULLETIN_ADDR "+busy.Addr().String()+": ",
		"stop what listens there, or give this worker another BULLETIN_ADDR")
}
