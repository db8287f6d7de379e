//go:build !unix

package main

// A dataLock does nothing where flock is missing: there, one serve per
// data folder is up to the operator.
type dataLock struct{}

func lockData(dir, fix string) (*dataLock, error) { return &dataLock{}, checkDataDir(dir) }

// Close releases nothing.
func (l *dataLock) Close() error { return nil }
