// Package kgolog sends franz-go's log lines to log/slog, with the one policy every Kafka
// client of bridge (the source's producer, the stream's group member) logs by, so
// --log-level shows the same client logging whichever command runs.
package kgolog

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Prefix starts every line franz-go logs, telling the client's lines from bridge's own.
const Prefix = "kafka: "

// Logger is a kgo.Logger over a slog.Logger. Its policy: franz-go's warnings and errors
// always pass, at slog's warn and error levels; franz-go's info level narrates every
// connection, join and commit, so it is passed, at slog's debug level, only when the
// slog logger is enabled for debug; franz-go's debug level (every request) never is.
// The level is read at each call, so a handler whose level changes is followed.
type Logger struct{ log *slog.Logger }

var _ kgo.Logger = Logger{}

// New returns the adapter for log; pass it to kgo.WithLogger.
func New(log *slog.Logger) Logger { return Logger{log: log} }

// Level is the most verbose level franz-go should log at.
func (l Logger) Level() kgo.LogLevel {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		return kgo.LogLevelInfo
	}
	return kgo.LogLevelWarn
}

// Log writes one franz-go line, its key-value pairs as slog attributes.
func (l Logger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	l.log.Log(context.Background(), slogLevel(level), Prefix+msg, keyvals...)
}

func slogLevel(level kgo.LogLevel) slog.Level {
	switch level {
	case kgo.LogLevelError:
		return slog.LevelError
	case kgo.LogLevelWarn:
		return slog.LevelWarn
	default:
		return slog.LevelDebug
	}
}
