package queue

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

// A Redis of BULLETIN_REDIS_URL that went away was told only in asynq's
// words, some forty lines in half a minute ("Dequeue error: UNKNOWN:
// redis eval error: dial tcp …: connection refused", "Failed to write
// server state data: … SADD failed"), and nothing said it was back. The
// health of a Queue says it in Bulletin's: one line when Redis stops
// answering, naming its address (never its password), what waits and
// what to do, and one when it answers again. It looks only when told
// something failed: by an error asynq logs (Queue.Logger) or a failed
// Ping (/readyz); then it pings Redis, and while Redis does not answer,
// pings it every healthProbeEvery until it does. The embedded Redis runs
// in the process and is not watched.
var (
	healthProbeEvery    = 2 * time.Second
	healthPingWithin    = 3 * time.Second
	asynqRepeatsEvery   = time.Minute
	asynqRepeatsTracked = 256 // distinct lines remembered at most
)

// health is a Queue's memory of whether its Redis answers.
type health struct {
	q *Queue

	mu       sync.Mutex
	log      *slog.Logger
	closed   bool      // the Queue is closed: look no more
	checking bool      // a ping or the probe loop runs
	down     bool      // Redis did not answer the last ping
	since    time.Time // when it was found not answering
	repeats  *repeats  // the asynq lines held back, told of when Redis is back
}

// setLog makes l the log of the health's lines, unless it has one.
func (h *health) setLog(l *slog.Logger) {
	h.mu.Lock()
	if h.log == nil {
		h.log = l
	}
	h.mu.Unlock()
}

// failed is told that something asked of Redis failed, with err when
// known: it checks, unless a check runs or Redis is known to be down.
func (h *health) failed(err error) {
	h.mu.Lock()
	if h.closed || h.checking || h.down || h.log == nil {
		h.mu.Unlock()
		return
	}
	h.checking = true
	h.q.wg.Add(1)
	h.mu.Unlock()
	go h.check()
}

// answered is told that Redis answered (a Ping that succeeded).
func (h *health) answered() {
	h.mu.Lock()
	down := h.down && !h.checking
	h.mu.Unlock()
	if down { // the probe loop stopped early: nothing else would say so
		h.back()
	}
}

// check pings Redis; when it does not answer, it says so and pings
// again every healthProbeEvery until it does.
func (h *health) check() {
	defer h.q.wg.Done()
	defer func() {
		h.mu.Lock()
		h.checking = false
		h.mu.Unlock()
	}()
	err := h.ping()
	if err == nil {
		return
	}
	h.wentDown(err)
	t := time.NewTicker(healthProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-h.q.stop:
			return
		case <-t.C:
		}
		if h.ping() == nil {
			h.back()
			return
		}
	}
}

func (h *health) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), healthPingWithin)
	defer cancel()
	return h.q.rdb.Ping(ctx).Err()
}

// wentDown says, once an outage, that Redis does not answer.
func (h *health) wentDown(err error) {
	h.mu.Lock()
	if h.down || h.closed {
		h.mu.Unlock()
		return
	}
	h.down, h.since = true, time.Now()
	log := h.log
	h.mu.Unlock()
	addr := h.q.Addr()
	log.Error("Redis at "+addr+" does not answer: nothing is sent until it is back "+
		"(serve still stores signups and edits; their mail is queued once it is back); "+
		"check that redis-server runs there and that BULLETIN_REDIS_URL points at it",
		"redis", addr, "err", h.q.redact(err.Error()))
}

// back says that Redis answers again, and how many of asynq's lines were
// held back meanwhile.
func (h *health) back() {
	h.mu.Lock()
	if !h.down {
		h.mu.Unlock()
		return
	}
	away := time.Since(h.since).Round(time.Second)
	h.down = false
	log := h.log
	h.mu.Unlock()
	held := h.repeats.reset()
	addr := h.q.Addr()
	args := []any{"redis", addr, "away", away.String()}
	if held > 0 {
		args = append(args, "asynq_repeats_not_logged", held)
	}
	log.Warn("Redis at "+addr+" answers again: sending goes on", args...)
}

// close stops the health's looks.
func (h *health) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
}

// Addr names the Redis of the queue, never its password (RedisAddr).
func (q *Queue) Addr() string { return RedisAddr(q.Opt) }

// RedisAddr names the server of opt, never its password.
func RedisAddr(opt asynq.RedisConnOpt) string {
	switch o := opt.(type) {
	case asynq.RedisClientOpt:
		return o.Addr
	case *asynq.RedisClientOpt:
		return o.Addr
	case asynq.RedisFailoverClientOpt:
		return "master " + o.MasterName + " of the sentinels " + strings.Join(o.SentinelAddrs, ", ")
	case asynq.RedisClusterClientOpt:
		return strings.Join(o.Addrs, ", ")
	}
	return "BULLETIN_REDIS_URL"
}

// redact takes the queue's Redis password out of s.
func (q *Queue) redact(s string) string {
	var pw string
	switch o := q.Opt.(type) {
	case asynq.RedisClientOpt:
		pw = o.Password
	case *asynq.RedisClientOpt:
		pw = o.Password
	case asynq.RedisFailoverClientOpt:
		pw = o.Password
	case asynq.RedisClusterClientOpt:
		pw = o.Password
	}
	if pw == "" {
		return s
	}
	return strings.ReplaceAll(s, pw, "[password]")
}

// repeats holds back asynq's lines said again: the first of a text is
// logged, then at most one each asynqRepeatsEvery, with how many were
// held back since. asynq says each of its Redis errors every few seconds
// from each of its parts while Redis is away.
type repeats struct {
	mu   sync.Mutex
	seen map[string]*repeat
}

type repeat struct {
	logged time.Time
	held   int
}

// allow reports whether msg is to be logged now, and how many times it
// was held back before.
func (r *repeats) allow(msg string, now time.Time) (bool, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]*repeat{}
	}
	if p := r.seen[msg]; p != nil {
		if now.Sub(p.logged) < asynqRepeatsEvery {
			p.held++
			return false, 0
		}
		held := p.held
		p.logged, p.held = now, 0
		return true, held
	}
	if len(r.seen) >= asynqRepeatsTracked {
		for k, p := range r.seen {
			if now.Sub(p.logged) >= asynqRepeatsEvery || p.held == 0 {
				delete(r.seen, k)
			}
		}
	}
	if len(r.seen) < asynqRepeatsTracked {
		r.seen[msg] = &repeat{logged: now}
	}
	return true, 0
}

// reset forgets every line, returning how many were held back and not
// told of yet: after an outage, the first of each is logged again.
func (r *repeats) reset() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.seen {
		n += p.held
	}
	r.seen = nil
	return n
}
