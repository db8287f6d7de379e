package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// SpamAssassin (Debian's, its shipped rules, local tests only: no DNS,
// no network) scores each kind of mail, as Bulletin composes and signs
// it, below 0.5; the rules that fire are in the test's log.
func TestSpamAssassinScoresEveryKindLow(t *testing.T) {
	if os.Getenv("BULLETIN_INTEGRATION") == "" {
		t.Skip("set BULLETIN_INTEGRATION=1 to score mail with SpamAssassin")
	}
	sa, err := exec.LookPath("spamassassin")
	if err != nil {
		t.Skip("spamassassin is missing: apt-get install -y spamassassin")
	}
	k := everyKindOfMail(t)
	kinds := make([]string, 0, len(k.msgs))
	for kind := range k.msgs {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	home := t.TempDir() // SpamAssassin's user state, away from $HOME
	for _, kind := range kinds {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, sa, "-L", "-t", "--cf", "bayes_auto_learn 0", "--cf", "use_bayes 0")
		cmd.Env = append(os.Environ(), "HOME="+home)
		msg := append([]byte("Return-Path: <"+k.msgs[kind].From+">\r\n"), k.msgs[kind].Data...)
		cmd.Stdin = bytes.NewReader(msg)
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("%s: spamassassin: %v", kind, err)
		}
		score, rules := spamReport(out)
		t.Logf("%s: score %.1f, rules %s", kind, score, rules)
		if score >= 0.5 {
			t.Errorf("%s scores %.1f (want below 0.5): %s", kind, score, rules)
		}
	}
}

// spamReport reads the score and the rule hits off SpamAssassin's
// X-Spam-Status header in a message it checked.
func spamReport(out []byte) (float64, string) {
	m := regexp.MustCompile(`(?m)^X-Spam-Status: \w+, score=(-?[\d.]+) required=[\d.]+ tests=((?:.|\r?\n[ \t])*?)\s+autolearn`).FindSubmatch(out)
	if m == nil {
		return 99, "no X-Spam-Status in the output"
	}
	score, _ := strconv.ParseFloat(string(m[1]), 64)
	return score, string(regexp.MustCompile(`\s+`).ReplaceAll(m[2], nil))
}
