package main

import (
	"strings"

	"github.com/bulletinhq/bulletin/internal/prose"
)

// notSettings are BULLETIN_ variables that are not settings yet are
// known: serve's profile (see serve_profile.go), the image's version, and
// those of the tests and benchmarks (BULLETIN_TEST_…, BULLETIN_BENCH_…,
// BULLETIN_BLAST_… and BULLETIN_LOAD_… of their child processes).
var notSettings = map[string]bool{
	"BULLETIN_CPUPROFILE": true, "BULLETIN_VERSION": true, "BULLETIN_INTEGRATION": true, "BULLETIN_REQUIRE_POSTFIX": true,
	"BULLETIN_SCREENSHOTS": true,
}

// unknownSettings says of each BULLETIN_ variable of environ (KEY=VALUE
// lines) that names no setting that it is ignored, with the setting it
// was likely meant for: BULLETIN_SMPT_URL left mail going to the outbox,
// and nothing said why. A warning, not a refusal: the variable may be
// another tool's.
func unknownSettings(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "BULLETIN_") || notSettings[name] ||
			strings.HasPrefix(name, "BULLETIN_TEST_") || strings.HasPrefix(name, "BULLETIN_BENCH_") ||
			strings.HasPrefix(name, "BULLETIN_BLAST_") || strings.HasPrefix(name, "BULLETIN_LOAD_") || knownSetting(name) {
			continue
		}
		msg := name + " is no setting of Bulletin and is ignored"
		if near := nearestSetting(name); near != "" {
			msg += ": did you mean " + near + "?"
		} else {
			msg += " (bulletin serve -h lists the settings)"
		}
		out = append(out, msg)
	}
	return out
}

func knownSetting(name string) bool {
	for _, s := range settings {
		if s.env == name {
			return true
		}
	}
	return false
}

// nearestSetting is the setting whose name is within a few slips of
// name, the nearest; "" when none is.
func nearestSetting(name string) string {
	best, bestDist := "", 4
	for _, s := range settings {
		if d := prose.EditDistance(name, s.env); d < bestDist {
			best, bestDist = s.env, d
		}
	}
	return best
}
