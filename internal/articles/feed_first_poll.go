package articles

import (
	"context"
	"fmt"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A notPollable is a poll's failure that shows the URL is not a feed
// Bulletin can poll, now or later: a 4xx answer (but 408 and 429, which
// pass) or a document that is not a feed, or one too large to read. A
// poll of a feed that worked before reports it as any failure (the site
// may put its feed back); a new feed whose first poll gets one is not
// added (Add), where it used to be kept and polled every 15 minutes, each
// poll failing, until someone deleted it.
type notPollable struct {
	err error
	// refusal is what Add's refusal of the URL says; err's words when "".
	refusal string
}

func (e *notPollable) Error() string { return e.err.Error() }
func (e *notPollable) Unwrap() error { return e.err }

// pollRefused is err as a notPollable told in its own words.
func pollRefused(err error) error { return &notPollable{err: err} }

// answered is the failure of a poll the server answered with code, not
// 200 or 304; status is the code in words ("404 Not Found"). A 4xx says
// the URL is wrong or closed to Bulletin, but for a timeout (408) or a
// request to slow down (429), which pass; a 5xx is the server's passing
// trouble.
func answered(code int, status string) error {
	err := fmt.Errorf("the server answered %s", status)
	switch {
	case code < 400 || code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return err
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &notPollable{err, fmt.Sprintf("the URL answered %s: the site does not let Bulletin read it, and a feed must be open to all", status)}
	}
	return &notPollable{err, fmt.Sprintf("the URL answered %s: check that it is the feed's own URL, as the site links it (RSS or Atom)", status)}
}

// refuse forgets feed id, just added, whose first poll got np, and
// returns the validation error of its URL u. When Bulletin put https://
// in front of the address typed, the words say so: the typed address,
// which the form keeps, is not quite what was fetched.
func (f *Feeds) refuse(ctx context.Context, id int64, np *notPollable, u string, schemeAdded bool) error {
	// The feed goes even when the request that added it went away: kept,
	// it would be polled every 15 minutes, failing each time.
	if err := f.Delete(context.WithoutCancel(ctx), id); err != nil {
		return err
	}
	// Not "feed poll failed" with a next poll, as it was: the feed is
	// gone, and nothing polls it again. The URL stays out of the log, as
	// its query may hold a key.
	f.log().Info("feed refused at its first poll", "feed", id, "status", np.Error())
	msg := np.refusal
	if msg == "" {
		msg = np.Error()
	}
	if schemeAdded {
		msg += " (Bulletin tried " + u + ")"
	}
	return bulletin.Invalid(map[string]string{"url": msg})
}
