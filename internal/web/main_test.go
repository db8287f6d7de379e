package web

import (
	"os"
	"testing"
)

// TestMain stops the Chromium the browser tests share once they are done.
func TestMain(m *testing.M) {
	code := m.Run()
	sharedChromium.mu.Lock()
	sharedChromium.close()
	sharedChromium.mu.Unlock()
	os.Exit(code)
}
