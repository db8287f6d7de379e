package queue

import (
	"fmt"
	"github.com/hibiken/asynq"
	"log/slog"
	"os"
)

// logger adapts slog to asynq's Logger interface.
type logger struct{ l *slog.Logger }

func newLogger(l *slog.Logger) logger {
	if l == nil {
		l = slog.Default()
	}
	return logger{l.With("component", "asynq")}
}

func (l logger) Debug(args ...any) { l.l.Debug(fmt.Sprint(args...)) }
func (l logger) Info(args ...any)  { l.l.Info(fmt.Sprint(args...)) }
func (l logger) Warn(args ...any)  { l.l.Warn(fmt.Sprint(args...)) }
func (l logger) Error(args ...any) { l.l.Error(fmt.Sprint(args...)) }
func (l logger) Fatal(args ...any) {
	l.l.Error(fmt.Sprint(args...))
	os.Exit(1)
}

// NewLogger returns an asynq.Logger writing to l.
func NewLogger(l *slog.Logger) asynq.Logger { return newLogger(l) }
