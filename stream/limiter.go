package stream

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// limiter logs a repeated warning at most once per `every` per message and error text
// (other values may differ), saying how many it held back meanwhile: a broker that is
// down must not flood the log.
type limiter struct {
	every time.Duration
	mu    sync.Mutex
	seen  map[string]*limited
}

type limited struct {
	last       time.Time
	suppressed int
}

func (l *limiter) warn(log *slog.Logger, msg string, args ...any) {
	key := msg
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == "err" {
			key += ": " + fmt.Sprint(args[i+1])
		}
	}
	l.mu.Lock()
	if l.seen == nil {
		l.seen = make(map[string]*limited)
	}
	e := l.seen[key]
	if e == nil {
		if len(l.seen) > 1000 { // distinct messages are few; this only bounds memory
			clear(l.seen)
		}
		e = &limited{}
		l.seen[key] = e
	}
	now := time.Now()
	if !e.last.IsZero() && now.Sub(e.last) < l.every {
		e.suppressed++
		l.mu.Unlock()
		return
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Warn(msg, args...)
}
