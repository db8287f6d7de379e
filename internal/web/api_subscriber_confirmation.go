package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A confirmationQueued is the answer to a confirmation mail queued again.
type confirmationQueued struct {
	Subscriber int64 `json:"subscriber"`
	// QueuedAt is when it was queued: its link replaces those of the
	// mails before, which no longer confirm.
	QueuedAt time.Time `json:"queued_at"`
	// NextAt is when another may be asked for, ConfirmInterval later.
	NextAt time.Time `json:"next_at"`
}

// resendConfirmation answers POST /api/v1/subscribers/{id}/confirmation:
// a pending reader's confirmation mail sent again, as the button on the
// admin's page of the reader sends it (resendConfirm), 202 once queued.
// A reader who is not pending is a 409 saying what they are; a mail
// asked for within ConfirmInterval of the last one to the address,
// whoever asked, is a 429 saying when one can go, with Retry-After, and
// nothing is sent.
func (s *Server) resendConfirmation(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	item, err := s.resendConfirm(r.Context(), id)
	var soon *subscribers.TooSoon
	if errors.As(err, &soon) {
		w.Header().Set("Retry-After", retryAfter(soon.Next))
		err = bulletin.Errorf(bulletin.ERATELIMITED, "%s", soon.Error())
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	at := time.UnixMicro(item.SentAt).UTC()
	writeJSON(w, http.StatusAccepted, confirmationQueued{Subscriber: id, QueuedAt: at, NextAt: at.Add(subscribers.ConfirmInterval)})
}
