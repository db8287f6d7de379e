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
// reads it, and not only on the campaign's page: a WARN when its answer
// changes (at most one each troubleGap), or every minute while it stays
// the same, and an INFO when messages are taken again after a WARN, once
// the last WARN is troubleGap old: one reader's greylisting among
// accepted mail, or a relay refusing every other message, makes a line
// or two a minute, not one a message. The answer's addresses are left
// out, as the log names no reader.
type troubleLog struct {
	on     atomic.Bool // a WARN was logged and no INFO since
	mu     sync.Mutex
	reply  string // the status and answer last logged
	logged time.Time
}

// troubleEvery is how often the same answer is logged again; troubleGap
// the least time between two WARNs, and between a WARN and the INFO that
// ends it. Variables for the tests.
var troubleEvery, troubleGap = time.Minute, 10 * time.Second

// addressRE finds an address in a reply, its local part quoted or not.
var addressRE = regexp.MustCompile(`<?(?:"[^"]*"|[^\s<>@"]+)@[^\s<>"]+>?`)

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
	since := now.Sub(l.logged)
	if since < troubleGap || key == l.reply && since < troubleEvery {
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

// took notes that a message of campaign cid was taken: the trouble is
// over once the last WARN is troubleGap old. A message taken costs one
// atomic load otherwise.
func (l *troubleLog) took(log *slog.Logger, cid int64) {
	if log == nil || !l.on.Load() {
		return
	}
	l.mu.Lock()
	if time.Since(l.logged) < troubleGap || !l.on.CompareAndSwap(true, false) {
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	log.Info("the mail server takes mail again", "campaign", cid)
}
