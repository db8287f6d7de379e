package queue

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hibiken/asynq"
)

// logger adapts slog to asynq's Logger interface. Its warnings and errors
// said again are held back (repeats), and, given a Queue's health, tell
// it that something failed.
type logger struct {
	l       *slog.Logger
	repeats *repeats
	health  *health // nil: none watched
}

func newLogger(l *slog.Logger) logger {
	if l == nil {
		l = slog.Default()
	}
	return logger{l: l.With("component", "asynq"), repeats: &repeats{}}
}

func (l logger) Debug(args ...any) { l.l.Debug(fmt.Sprint(args...)) }
func (l logger) Info(args ...any)  { l.l.Info(fmt.Sprint(args...)) }
func (l logger) Warn(args ...any)  { l.failed(slog.LevelWarn, fmt.Sprint(args...)) }
func (l logger) Error(args ...any) { l.failed(slog.LevelError, fmt.Sprint(args...)) }
func (l logger) Fatal(args ...any) {
	l.l.Error(fmt.Sprint(args...))
	os.Exit(1)
}

// failed logs msg, unless it was said less than asynqRepeatsEvery ago,
// and has the health check Redis.
func (l logger) failed(level slog.Level, msg string) {
	if l.health != nil {
		l.health.failed(nil)
	}
	ok, held := l.repeats.allow(msg, time.Now())
	if !ok {
		return
	}
	if held > 0 {
		l.l.Log(context.Background(), level, msg, "repeats_not_logged", held)
		return
	}
	l.l.Log(context.Background(), level, msg)
}

// NewLogger returns an asynq.Logger writing to l.
func NewLogger(l *slog.Logger) asynq.Logger { return newLogger(l) }

// Logger returns an asynq.Logger writing to l that, when asynq logs an
// error, has the queue check its Redis and say once, in l, when it stops
// answering and when it answers again. The loggers of one queue hold back
// the same repeats.
func (q *Queue) Logger(l *slog.Logger) asynq.Logger { return q.logger(l) }

func (q *Queue) logger(l *slog.Logger) logger {
	if l == nil {
		l = slog.Default()
	}
	lg := newLogger(l)
	lg.repeats = q.repeats
	if q.health != nil {
		q.health.setLog(l)
		lg.health = q.health
	}
	return lg
}
