package mailer

import (
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// troubleLog puts a relay that refuses mail for now (a 4xx, a refused or
// dropped connection, a refused sender) into the log, where monitoring
// reads it, and not only on the campaign's page: one WARN when its
// answer changes, or every minute while it stays the same, and one INFO
// when a message is taken again. The answer's addresses are left out, as
// the log names no reader.
type troubleLog struct {
	on     atomic.Bool // a WARN was logged and no message taken since
	mu     sync.Mutex
	reply  string // the status and answer last logged
	logged time.Time
}

// troubleEvery is how often the same answer is logged again.
const troubleEvery = time.Minute

var addressRE = regexp.MustCompile(`<?[^\s<>@"]+@[^\s<>"]+>?`)

// refused notes that a message of campaign cid was not taken, the relay
// having answered reply: status is tasks.ResultRetry, or ResultFailed at
// the task's last attempt.
func (l *troubleLog) refused(log *slog.Logger, cid int64, status, reply string) {
	if log == nil {
		return
	}
	reply = addressRE.ReplaceAllString(reply, "<address>")
	key, now := status+" "+reply, time.Now()
	l.mu.Lock()
	if key == l.reply && now.Sub(l.logged) < troubleEvery {
		l.mu.Unlock()
		return
	}
	l.reply, l.logged = key, now
	l.on.Store(true)
	l.mu.Unlock()
	what := "it waits for its retry"
	if status == tasks.ResultFailed {
		what = "it was the message's last try: failed"
	}
	log.Warn("the mail server did not take a message; "+what, "campaign", cid, "reply", reply)
}

// took notes that a message of campaign cid was taken: after a WARN, the
// trouble is over. A message taken costs one atomic load otherwise.
func (l *troubleLog) took(log *slog.Logger, cid int64) {
	if log == nil || !l.on.Load() || !l.on.CompareAndSwap(true, false) {
		return
	}
	l.mu.Lock()
	l.reply = ""
	l.mu.Unlock()
	log.Info("the mail server takes mail again", "campaign", cid)
}
