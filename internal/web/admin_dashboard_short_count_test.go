package web

import "testing"

// The chart's counts on a phone keep to four characters, rounded.
func TestShortCount(t *testing.T) {
	for n, want := range map[int]string{0: "", 999: "", 1000: "1k", 1200: "1.2k", 3001: "3k", 9949: "9.9k", 9950: "10k",
		40015: "40k", 250000: "250k", 999499: "999k", 999500: "1M", 1260000: "1.3M", 9949999: "9.9M", 9950000: "10M", 123456789: "123M"} {
		if got := shortCount(n); got != want {
			t.Errorf("shortCount(%d) = %q, want %q", n, got, want)
		}
	}
}
