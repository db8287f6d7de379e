package queue

import (
	"errors"
	"fmt"
	"testing"
	"time"
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

// A task handed back runs again within seconds, however often it failed
// before: it waits for nothing, and a confirmation handed back by the
// refusal gate after 5 failures waited 64 s once the relay took mail.
func TestHandedBackRunsAgainSoon(t *testing.T) {
	back := fmt.Errorf("3 of 3 confirmations not sent for now: %w", ErrHandedBack)
	for _, n := range []int{0, 5, 9} {
		if d := RetryDelay(n, back, nil); d != 2*time.Second {
			t.Errorf("handed back after %d failures: runs again in %v, want 2s", n, d)
		}
	}
	if d := RetryDelay(5, errors.New("451 try again later"), nil); d != 64*time.Second {
		t.Errorf("a sixth failure: again in %v, want 64s", d)
	}
}
