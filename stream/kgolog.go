package stream

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kgoLogger sends franz-go's log lines to slog. franz-go's info level narrates every
// join and commit, so it is shown only when bridge logs at debug; warnings and errors
// always pass.
type kgoLogger struct{ log *slog.Logger }

var _ kgo.Logger = kgoLogger{}

func (l kgoLogger) Level() kgo.LogLevel {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		return kgo.LogLevelInfo
	}
	return kgo.LogLevelWarn
}

func (l kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	var lv slog.Level
	switch level {
	case kgo.LogLevelError:
		lv = slog.LevelError
	case kgo.LogLevelWarn:
		lv = slog.LevelWarn
	default:
		lv = slog.LevelDebug
	}
	l.log.Log(context.Background(), lv, "kafka: "+msg, keyvals...)
}
