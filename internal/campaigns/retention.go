package campaigns

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Retention bounds: deliveries stay at least as long as the feedback
// health window and late bounces need them, and at most a century.
const (
	MinRetention     = 7 * 24 * time.Hour
	maxRetention     = 100 * 365 * 24 * time.Hour
	DefaultRetention = 90 * 24 * time.Hour
)

// ParseRetention reads a delivery retention: a number of days ("90d"), a
// Go duration ("2160h"), or "0" or "forever" for keeping every delivery.
// It returns 0 for forever.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return DefaultRetention, nil
	case "0", "forever", "never", "off":
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		// 0d is kept for the minimum's message below: it would keep
		// nothing, which is not what 0 (forever) means. !(n >= 0) is
		// true of NaN too.
		if err != nil || !(n >= 0) || n > float64(maxRetention/(24*time.Hour)) {
			return 0, errors.New("use a number of days like 90d, a duration like 2160h, or forever")
		}
		d = time.Duration(n * float64(24*time.Hour))
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d < 0 {
			return 0, errors.New("use a number of days like 90d, a duration like 2160h, or forever")
		}
	}
	if d < MinRetention {
		return 0, errors.New("keep deliveries at least 7 days (7d), which late bounces and the feedback health figures need, or forever")
	}
	if d > maxRetention {
		return 0, errors.New("use at most 36500d, or forever")
	}
	return d, nil
}
