package queue

import (
	"errors"
	"fmt"
	"testing"
)

// A batch a stopping worker hands back is run again as a retry that does
// not count as a failure; any other error counts.
func TestHandedBackIsNoFailure(t *testing.T) {
	cfg := ServerConfig(map[string]int{QueueSend: 1}, 1, nil)
	if cfg.IsFailure == nil {
		t.Fatal("the server config has no IsFailure: every hand-back uses up a retry")
	}
	if cfg.IsFailure(fmt.Errorf("campaign 3 batch 2: worker stopping: %w", ErrHandedBack)) {
		t.Error("a batch handed back counts as a failure")
	}
	if !cfg.IsFailure(errors.New("record results: EOF")) {
		t.Error("a real failure does not count")
	}
}
