package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BULLETIN_CPUPROFILE makes serve write a CPU profile of its whole run
// when it stops, readable by go tool pprof.
func TestServeWritesCPUProfileWhenAsked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "serve.pprof")
	m, _, stderr := testMain(t, map[string]string{"BULLETIN_CPUPROFILE": path})
	base, stop := startServe(t, m)
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d", code)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d; stderr:\n%s", code, stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no profile written: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f) // pprof's format: gzipped protobuf
	if err != nil {
		t.Fatalf("profile is not pprof's gzipped protobuf: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(raw), "nanoseconds") {
		t.Errorf("not a CPU profile (%v): %d bytes", err, len(raw))
	}
	if !strings.Contains(stderr.String(), "cpu profile") {
		t.Errorf("serve did not say where the profile went:\n%s", stderr)
	}
}
