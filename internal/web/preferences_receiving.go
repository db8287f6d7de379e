package web

import (
	"slices"

	"github.com/bulletinhq/bulletin/subscribers"
)

// receiving says what reader sub, whose lists as stored are the ticked
// ones of choices, gets now, when that is not simply the lists ticked:
// "" when it is. stopped is whether no mail comes to them at all, so the
// page offers no way to stop it.
func receiving(sub *subscribers.Subscriber, choices []subscribers.ListChoice) (now string, stopped bool) {
	on := slices.ContainsFunc(choices, func(c subscribers.ListChoice) bool { return c.Checked })
	switch {
	case sub.Status == subscribers.StatusUnsubscribed:
		return "You are unsubscribed from everything, so no more mail will come. Tick a list and save to come back.", true
	case sub.Status == subscribers.StatusBounced:
		// Saving keeps a bounced reader bounced (SetPreferences): the
		// page promises nothing a save would not do.
		return "Mail to this address bounced, so none is sent to it now.", true
	case !on:
		return "You are on no list, so no more mail will come. Tick a list and save to get mail again.", true
	case sub.Status == subscribers.StatusPending:
		return "Nothing is sent to you until you confirm your address with the link in the confirmation mail.", false
	}
	return "", false
}

// waitingNote is what the preferences page says beside a list that waits
// for reader sub's click on the link of a confirmation mail: a signup or
// an import for their address asked for it. The link adds it; ticking it
// and saving joins it at once only for a reader who has confirmed their
// address (JoinsAtOnce); for the others a list ticked waits for the same
// click, so the page does not offer it.
func waitingNote(sub *subscribers.Subscriber) string {
	const note = "Waiting for your confirmation: the link in the mail we sent you adds this list"
	if sub.JoinsAtOnce() {
		return note + ", or tick it and save to join it now."
	}
	return note + "."
}
