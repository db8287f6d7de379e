package subscribers

import (
	"strconv"
	"strings"
)

// FixedZoneProblem says why a zone name LoadLocation knows is still not
// one to time a list's mail by, or "": a fixed offset standing for the
// places that keep it part of the year. "EST" never has summer time, so
// a New York publisher's 08:00 digest would come at 09:00 there from
// March to November; "Etc/GMT+10" is UTC−10, its sign reversed as POSIX
// writes it. A place name follows its place's clocks. UTC and its
// aliases are a choice of their own (a time that never moves) and pass.
func FixedZoneProblem(name string) string {
	switch name {
	case "EST":
		return "EST has no summer time: use a place name such as America/New_York"
	case "MST":
		return "MST has no summer time: use a place name such as America/Denver (or America/Phoenix, which keeps MST all year)"
	case "HST":
		return "HST is a fixed offset: use a place name such as Pacific/Honolulu"
	case "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich":
		return name + " has no summer time: use a place name such as Europe/London, or UTC for a time that never changes"
	case "Factory":
		return "Factory is no place's time: use a place name such as Europe/Paris or America/New_York, or UTC"
	}
	if n, ok := strings.CutPrefix(name, "Etc/GMT"); ok {
		if off, err := strconv.Atoi(n); err == nil && (n[0] == '+' || n[0] == '-') {
			// Etc/GMT+10 is ten hours behind UTC.
			utc := "UTC+" + strconv.Itoa(-off)
			if off > 0 {
				utc = "UTC−" + strconv.Itoa(off)
			}
			why := name + " is " + utc + " (the sign of Etc/GMT zones is reversed) and has no summer time: use a place name"
			if place := placeAt[-off]; place != "" {
				return why + " such as " + place
			}
			return why + " such as America/New_York or Asia/Tokyo"
		}
	}
	if strings.HasPrefix(name, "Etc/") && !utcAlias(name) {
		return name + " is a fixed offset: use a place name such as Europe/Paris or America/New_York, or UTC"
	}
	return ""
}

// utcAlias reports whether name is one of the names of UTC itself.
func utcAlias(name string) bool {
	switch name {
	case "UTC", "UCT", "Universal", "Zulu", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu":
		return true
	}
	return false
}

// placeAt names a place whose standard time is UTC plus so many hours,
// for a fixed offset's refusal to suggest.
var placeAt = map[int]string{
	-11: "Pacific/Pago_Pago", -10: "Pacific/Honolulu", -9: "America/Anchorage", -8: "America/Los_Angeles",
	-7: "America/Denver", -6: "America/Chicago", -5: "America/New_York", -4: "America/Halifax",
	-3: "America/Sao_Paulo", -2: "America/Noronha", -1: "Atlantic/Azores",
	1: "Europe/Paris", 2: "Europe/Athens", 3: "Europe/Moscow", 4: "Asia/Dubai", 5: "Asia/Karachi",
	6: "Asia/Dhaka", 7: "Asia/Bangkok", 8: "Asia/Singapore", 9: "Asia/Tokyo", 10: "Australia/Sydney",
	11: "Pacific/Noumea", 12: "Pacific/Auckland", 13: "Pacific/Tongatapu", 14: "Pacific/Kiritimati",
}
