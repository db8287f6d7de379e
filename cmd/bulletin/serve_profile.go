package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfileUsage is the help line of serve's --cpuprofile.
const cpuProfileUsage = "write a CPU profile of the whole run to this file when serve stops, for go tool pprof (BULLETIN_CPUPROFILE)"

// cpuProfileFlag adds serve's --cpuprofile, defaulting to
// BULLETIN_CPUPROFILE, to fs and returns where its value lands.
func (m *Main) cpuProfileFlag(fs *flag.FlagSet) *string {
	def, _ := lookup(m.Getenv, "BULLETIN_CPUPROFILE")
	return fs.String("cpuprofile", def, cpuProfileUsage)
}

// startCPUProfile starts profiling into path and returns the function that
// stops and writes it; with path empty it does nothing. Profiling is only
// ever asked for on start-up: there is no HTTP endpoint for it.
func (m *Main) startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	if err := checkCPUProfile(path); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			m.Log.Error("cpu profile", "path", path, "err", err)
			return
		}
		m.Log.Info("cpu profile written", "path", path)
	}, nil
}
