package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A serve that cannot listen stops with exit 2 naming the address before
// it opens anything: a new data folder gets no database and no secret
// (it used to get both, left behind by a start that never served).
func TestServeThatCannotListenMakesNoDatabase(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	data := filepath.Join(t.TempDir(), "new")
	m, _, stderr := testMain(t, map[string]string{"BULLETIN_ADDR": taken.Addr().String(), "BULLETIN_DATA": data})
	if code := m.Main(context.Background(), []string{"serve"}); code != 2 || !strings.Contains(stderr.String(), "listen on BULLETIN_ADDR "+taken.Addr().String()) {
		t.Fatalf("serve on a taken address: exit %d, %s", code, stderr)
	}
	for _, name := range []string{"bulletin.db", "secret"} {
		if _, err := os.Stat(filepath.Join(data, name)); !os.IsNotExist(err) {
			t.Errorf("%s after a serve that could not listen: %v, want none", name, err)
		}
	}
	// The address free, the same data folder serves.
	taken.Close()
	m, _, _ = testMain(t, map[string]string{"BULLETIN_DATA": data})
	_, stop := startServe(t, m)
	if code := stop(); code != 0 {
		t.Errorf("serve after: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(data, "bulletin.db")); err != nil {
		t.Errorf("no database after a serve that listened: %v", err)
	}
}
