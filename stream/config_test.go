package stream

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig("demo2")
	tests := []struct {
		name  string
		edit  func(*Config)
		valid bool
	}{
		{"defaults", func(*Config) {}, true},
		{"no topics", func(c *Config) { c.Topics = nil }, false},
		{"no brokers", func(c *Config) { c.Brokers = nil }, false},
		{"empty group", func(c *Config) { c.Group = "" }, false},
		{"zero interval", func(c *Config) { c.Interval = 0 }, false},
		{"sub-millisecond interval", func(c *Config) { c.Interval = 1500 * time.Microsecond }, false},
		{"odd but whole interval", func(c *Config) { c.Interval = 1500 * time.Millisecond }, true},
		{"unknown parser", func(c *Config) { c.Parser = "awk" }, false},
		{"seed parser", func(c *Config) { c.Parser = ParseSeed }, true},
		{"negative top", func(c *Config) { c.Top = -1 }, false},
		{"window without top", func(c *Config) { c.Window = time.Minute }, false},
		{"top with window and slide", func(c *Config) { c.Top, c.Window, c.Slide = 5, time.Minute, 10*time.Second }, true},
		{"window not a multiple", func(c *Config) { c.Top, c.Window = 5, 3*time.Second }, false},
		{"slide not a multiple", func(c *Config) { c.Top, c.Window, c.Slide = 5, time.Minute, 3*time.Second }, false},
		{"slide over window", func(c *Config) { c.Top, c.Window, c.Slide = 5, 4*time.Second, 6*time.Second }, false},
		// Issue 12: --window 8760h held 928 MB three seconds after start; 2562047h ran out of memory.
		{"a year of 2 s slides", func(c *Config) { c.Top, c.Window = 3, 8760*time.Hour }, false},
		{"the longest duration", func(c *Config) { c.Top, c.Window = 3, 2562047*time.Hour }, false},
		{"a day by 12 minutes", func(c *Config) { c.Top, c.Window, c.Slide = 3, 24*time.Hour, 12*time.Minute }, true},
		{"120 slides", func(c *Config) { c.Top, c.Window = 3, 240*time.Second }, true},
		{"121 slides", func(c *Config) { c.Top, c.Window = 3, 242*time.Second }, false},
		{"slide alone defaults window to one interval", func(c *Config) { c.Top, c.Slide = 5, 4*time.Second }, false},
		{"zero max value", func(c *Config) { c.MaxValueBytes = 0 }, false},
		{"empty topic name", func(c *Config) { c.Topics = []string{"demo2", ""} }, false},
		{"session timeout under the broker's 6s", func(c *Config) { c.SessionTimeout = time.Second }, false},
		{"session timeout at the broker's 6s", func(c *Config) { c.SessionTimeout = 6 * time.Second }, true},
		{"session timeout at the broker's 30m", func(c *Config) { c.SessionTimeout = 30 * time.Minute }, true},
		{"session timeout over the broker's 30m", func(c *Config) { c.SessionTimeout = 31 * time.Minute }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			if tt.valid {
				assert.NoError(t, c.Validate())
			} else {
				assert.Error(t, c.Validate())
			}
		})
	}
}

func TestNextTickIsOnTheGrid(t *testing.T) {
	tests := []struct {
		now, iv time.Duration
		want    int64
	}{
		{0, 2 * time.Second, 2000},
		{1999 * time.Millisecond, 2 * time.Second, 2000},
		{2000 * time.Millisecond, 2 * time.Second, 4000},
		{2001 * time.Millisecond, 1500 * time.Millisecond, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.now.String()+"/"+tt.iv.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, nextTick(time.UnixMilli(tt.now.Milliseconds()), tt.iv).UnixMilli())
		})
	}
}

func TestLimiter(t *testing.T) {
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, nil))
	l := limiter{every: time.Hour}
	for i := 0; i < 5; i++ {
		l.warn(log, "fetch error", "partition", i, "err", errors.New("broker down"))
	}
	l.warn(log, "fetch error", "err", errors.New("other"))
	assert.Equal(t, 2, strings.Count(buf.String(), "fetch error"), buf.String())

	l.seen["fetch error: broker down"].last = time.Now().Add(-2 * time.Hour)
	l.warn(log, "fetch error", "err", errors.New("broker down"))
	assert.Contains(t, buf.String(), "suppressed=4")
}
