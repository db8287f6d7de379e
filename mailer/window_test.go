package mailer

import (
	"context"
	"testing"
	"time"
)

func TestWindowWaitsForAWholeGroupInTurn(t *testing.T) {
	w := newWindow(10)
	ctx := context.Background()
	if err := w.acquire(ctx, 8); err != nil {
		t.Fatal(err)
	}
	first, second := make(chan struct{}), make(chan struct{})
	go func() { w.acquire(ctx, 5); close(first) }()
	time.Sleep(10 * time.Millisecond) // first waits before second
	go func() { w.acquire(ctx, 1); close(second) }()
	time.Sleep(10 * time.Millisecond)
	select {
	case <-second:
		t.Fatal("a later, smaller group went before the one waiting")
	default:
	}
	w.release(2) // 4 free: not enough for 5
	select {
	case <-first:
		t.Fatal("woken before its whole group fits")
	case <-time.After(10 * time.Millisecond):
	}
	w.release(1)
	<-first
	w.release(1) // the first took all there was
	<-second
	if w.free != 0 || len(w.wait) != 0 {
		t.Errorf("free %d, %d waiting; want none of either", w.free, len(w.wait))
	}
}

func TestWindowGivesUpWhenContextEnds(t *testing.T) {
	w := newWindow(2)
	w.acquire(context.Background(), 2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.acquire(ctx, 2) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("acquired with the context ended")
	}
	w.release(2)
	if w.free != 2 || len(w.wait) != 0 {
		t.Errorf("free %d, %d waiting; want 2 and none", w.free, len(w.wait))
	}
}
