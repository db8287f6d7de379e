package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

func init() {
	flashes["confirmation-resent"] = "The confirmation mail is on its way. Its link replaces that of any sent before, which no longer confirms."
	flashes["confirmation-resent-outbox"] = "No SMTP server is set, so the confirmation mail was written to the Outbox, not sent: it reaches no one until one is. Its link replaces that of any sent before."
}

// resendConfirmForm mails a pending reader the confirmation again, from
// the button on their page. At most one confirmation goes to an address
// every subscribers.ConfirmInterval, whoever asks: a click sooner sends
// nothing and says when one can go (429, with Retry-After).
func (s *Server) resendConfirmForm(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	_, err = s.resendConfirm(r.Context(), id)
	var soon *subscribers.TooSoon
	switch {
	case errors.As(err, &soon):
		w.Header().Set("Retry-After", retryAfter(soon.Next))
		s.renderSubscriber(w, r, http.StatusTooManyRequests, nil, map[string]string{"": soon.Error()})
		return
	case bulletin.ErrorCode(err) == bulletin.ECONFLICT:
		s.renderSubscriber(w, r, http.StatusConflict, nil, map[string]string{"": bulletin.ErrorMessage(err)})
		return
	case err != nil:
		s.adminFailed(w, r, err)
		return
	}
	flash := "confirmation-resent"
	if s.Outbox != nil {
		flash = "confirmation-resent-outbox"
	}
	s.redirectWithFlash(w, r, "/admin/subscribers/"+strconv.FormatInt(id, 10), flash)
}

// resendConfirm flags pending reader id for the confirmation mail again
// (subscribers.ResendConfirm: a new link, at most one mail every
// ConfirmInterval) and puts its task on s.Confirms, for the admin's
// button and the API alike, and returns the flagged item. Its errors are
// ResendConfirm's: a TooSoon, a conflict for a reader who is not pending,
// not found. A task that cannot be queued is not one: the flag stays,
// and the reconciler sends it within minutes. The task names the flag
// (the reader and its confirm_sent_at), and a mail goes only for a flag
// still standing, so it goes once, by the task or the reconciler.
func (s *Server) resendConfirm(ctx context.Context, id int64) (*queue.ConfirmItem, error) {
	item, err := s.Subscribers.ResendConfirm(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Confirms != nil {
		task, err := queue.NewConfirmTask([]queue.ConfirmItem{*item})
		if err == nil {
			err = queue.EnqueueUnique(ctx, s.Confirms, task)
		}
		if err != nil {
			s.Log.Warn("queue confirmation", "subscriber", id, "err", err)
		}
	}
	return item, nil
}

// retryAfter is a Retry-After of the whole seconds until next, at least 1.
func retryAfter(next time.Time) string {
	return strconv.Itoa(max(int(time.Until(next).Seconds()+0.999), 1))
}
