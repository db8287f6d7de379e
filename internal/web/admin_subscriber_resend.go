package web

import (
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
	item, err := s.Subscribers.ResendConfirm(r.Context(), id)
	var soon *subscribers.TooSoon
	switch {
	case errors.As(err, &soon):
		wait := max(int(time.Until(soon.Next).Seconds()+0.999), 1)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		s.renderSubscriber(w, r, http.StatusTooManyRequests, nil, map[string]string{"": soon.Error()})
		return
	case bulletin.ErrorCode(err) == bulletin.ECONFLICT:
		s.renderSubscriber(w, r, http.StatusConflict, nil, map[string]string{"": bulletin.ErrorMessage(err)})
		return
	case err != nil:
		s.adminFailed(w, r, err)
		return
	}
	if s.Confirms != nil {
		task, err := queue.NewConfirmTask([]queue.ConfirmItem{*item})
		if err == nil {
			err = queue.EnqueueUnique(r.Context(), s.Confirms, task)
		}
		if err != nil {
			// The row is flagged: the reconciler sends it within minutes.
			s.Log.Warn("queue confirmation", "subscriber", id, "err", err)
		}
	}
	flash := "confirmation-resent"
	if s.Outbox != nil {
		flash = "confirmation-resent-outbox"
	}
	s.redirectWithFlash(w, r, "/admin/subscribers/"+strconv.FormatInt(id, 10), flash)
}
