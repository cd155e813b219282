// Package progress reports how a job works off a backlog: the source reading a large
// existing log, the stream consuming a topic it lags behind. On a terminal it draws a bar
// with percent, rate and ETA; elsewhere it logs the same figures every few seconds. It
// speaks only while the job is far behind, so a job that keeps up stays quiet.
package progress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultTick     = 500 * time.Millisecond
	DefaultLogEvery = 10 * time.Second
	DefaultMinETA   = 5 * time.Second
	// rateWindow is the time constant of the smoothed rates: long enough that one slow
	// tick does not swing the ETA, short enough to follow a real change.
	rateWindow = 5 * time.Second
)

// Errors of the package.
var (
	// ErrUnknownMode: ParseMode was given a name it does not know.
	ErrUnknownMode = errors.New("unknown progress mode")
	// ErrInvalidConfig: Config.Validate found a bad value.
	ErrInvalidConfig = errors.New("invalid progress config")
)

// Mode is how progress is shown.
type Mode int

// The modes. ModeAuto is resolved by the caller: a bar when the output is a terminal.
const (
	ModeAuto Mode = iota
	ModeBar
	ModeLog
	ModeOff
)

var modeNames = [...]string{ModeAuto: "auto", ModeBar: "bar", ModeLog: "log", ModeOff: "off"}

func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode returns the mode named s: auto, bar, log or off.
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if strings.EqualFold(s, name) {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("parse progress mode %q: %w", s, ErrUnknownMode)
}

// Unit says what Sample.Behind and Sample.Done count.
type Unit int

// The units.
const (
	Bytes Unit = iota
	Records
)

func (u Unit) String() string {
	if u == Bytes {
		return "bytes"
	}
	return "records"
}

// Sample is one reading of a job.
type Sample struct {
	Behind int64 // work left, in the Unit
	Done   int64 // work done since the job started, in the Unit: a counter
	Items  int64 // items (lines, records) done since the job started: a counter
}

// Config configures a Reporter.
type Config struct {
	Name      string        // the job, first on the bar and in the log lines: "source", "stream"
	Unit      Unit          // what Behind and Done count
	Items     string        // what Sample.Items counts: "lines", "records"
	Mode      Mode          // ModeBar or ModeLog; ModeOff makes Run return at once
	Tick      time.Duration // how often the job is sampled and the bar redrawn
	LogEvery  time.Duration // how often a line is logged in ModeLog
	MinBehind int64         // report once more than this is left...
	MinETA    time.Duration // ...or once what is left takes longer than this at the current rate
}

// DefaultConfig returns a Reporter's settings with the Default* intervals, logging; the
// caller names the job, its units and its threshold.
func DefaultConfig() Config {
	return Config{Items: "items", Mode: ModeLog, Tick: DefaultTick, LogEvery: DefaultLogEvery, MinETA: DefaultMinETA}
}

// Validate reports every bad value of c at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	switch {
	case c.Mode == ModeAuto:
		bad("mode auto must be resolved to bar or log")
	case c.Mode < ModeAuto || c.Mode > ModeOff:
		bad("mode %d", c.Mode)
	}
	if c.Tick <= 0 || c.LogEvery <= 0 {
		bad("tick %v and log interval %v must be positive", c.Tick, c.LogEvery)
	}
	if c.MinETA < 0 || c.MinBehind < 0 {
		bad("negative threshold")
	}
	return errors.Join(errs...)
}

// Reporter samples a job every tick and reports while it is far behind.
type Reporter struct {
	cfg    Config
	sample func() Sample
	log    *slog.Logger
	term   *Terminal // ModeBar only

	last     Sample
	lastAt   time.Time
	doneRate float64 // Unit per second, smoothed
	itemRate float64 // items per second, smoothed
	gapRate  float64 // how fast Behind shrinks, Unit per second, smoothed
	started  bool
	rated    bool // the rates hold a measurement
	gapRated bool // gapRate holds a measurement made during the backlog

	active   bool
	from     Sample // the sample when the backlog was first reported
	fromAt   time.Time
	loggedAt time.Time
}

// New returns a Reporter of the job read by sample. log receives the lines of ModeLog and
// the last line of a backlog; term draws the bar of ModeBar.
func New(cfg Config, sample func() Sample, log *slog.Logger, term *Terminal) (*Reporter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Mode == ModeBar && term == nil {
		return nil, fmt.Errorf("%w: bar mode without a terminal", ErrInvalidConfig)
	}
	return &Reporter{cfg: cfg, sample: sample, log: log, term: term}, nil
}

// Run samples the job every tick until ctx is done, then takes the bar down. It returns nil.
func (r *Reporter) Run(ctx context.Context) error {
	if r.cfg.Mode == ModeOff {
		return nil
	}
	tick := time.NewTicker(r.cfg.Tick)
	defer tick.Stop()
	defer r.clear()
	r.step(time.Now(), r.sample())
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			r.step(now, r.sample())
		}
	}
}

// step takes one sample: it updates the rates, then starts, reports or ends a backlog.
func (r *Reporter) step(now time.Time, s Sample) {
	prev, prevAt, hadPrev := r.last, r.lastAt, r.started
	r.updateRates(now, s)
	switch {
	case !r.active && r.farBehind(s):
		// The backlog began after the previous sample, which was not far behind: what was
		// done since is part of it. A stream learns its lag only from its first poll, which
		// already took a batch of the backlog; counting from this sample said percent=0.
		r.active, r.from, r.fromAt = true, s, now
		if hadPrev {
			r.from, r.fromAt = prev, prevAt
		}
		// The jump that made the backlog (a lag first measured, a burst written) says
		// nothing of how fast it shrinks: measure that afresh.
		r.gapRated = false
		r.report(now, s, true)
	case r.active && r.caughtUp(s):
		r.active = false
		r.finish(now, s)
	case r.active:
		r.report(now, s, false)
	}
}

func (r *Reporter) updateRates(now time.Time, s Sample) {
	if !r.started {
		r.started, r.last, r.lastAt = true, s, now
		return
	}
	dt := now.Sub(r.lastAt).Seconds()
	if dt <= 0 {
		return
	}
	// Exponential smoothing over rateWindow, whatever the tick; the first measurement is
	// taken as it is, so a steady rate is right from the start.
	a := 1 - math.Exp(-dt/rateWindow.Seconds())
	if !r.rated {
		a, r.rated = 1, true
	}
	smooth := func(avg *float64, v float64) { *avg += a * (v - *avg) }
	smooth(&r.doneRate, float64(s.Done-r.last.Done)/dt)
	smooth(&r.itemRate, float64(s.Items-r.last.Items)/dt)
	if !r.gapRated {
		a, r.gapRated = 1, true
	}
	smooth(&r.gapRate, float64(r.last.Behind-s.Behind)/dt)
	r.last, r.lastAt = s, now
}

// farBehind: more than MinBehind left, or more than MinETA of work at the rate so far.
func (r *Reporter) farBehind(s Sample) bool {
	if s.Behind > r.cfg.MinBehind {
		return true
	}
	return r.doneRate > 0 && float64(s.Behind) > r.doneRate*r.cfg.MinETA.Seconds()
}

// caughtUp: under a sixteenth of MinBehind left, or under MinBehind and half a second of
// work. The gap between this and farBehind keeps a job hovering at a threshold from
// starting and ending backlogs over and over.
func (r *Reporter) caughtUp(s Sample) bool {
	if s.Behind <= r.cfg.MinBehind/16 {
		return true
	}
	return s.Behind <= r.cfg.MinBehind && float64(s.Behind) < r.doneRate/2
}

// Figures are what one report shows.
type Figures struct {
	Behind   int64         // work left, in the unit
	Percent  float64       // of the backlog done since it was first reported
	ItemRate float64       // items per second
	ETA      time.Duration // at the rate the backlog shrinks; 0 when it does not
}

func (r *Reporter) figures(s Sample) Figures {
	f := Figures{Behind: max(s.Behind, 0), ItemRate: r.itemRate}
	done := s.Done - r.from.Done
	if total := done + f.Behind; total > 0 {
		f.Percent = 100 * float64(max(done, 0)) / float64(total)
	}
	rate := r.gapRate
	if !r.gapRated {
		// The backlog was only just seen: how fast it shrinks is not measured yet, so
		// estimate from how fast the job works, as if nothing more came in. Without
		// this the first report, often the only one of a backlog worked off within
		// LogEvery, always said eta=unknown.
		rate = r.doneRate
	}
	if rate > 0 {
		f.ETA = max(time.Duration(float64(f.Behind)/rate*float64(time.Second)), time.Nanosecond)
	}
	return f
}

// etaString renders an ETA to the second: "unknown" when the backlog is not shrinking.
func etaString(d time.Duration) string {
	switch {
	case d <= 0:
		return "unknown"
	case d < time.Second:
		return "<1s"
	}
	return d.Round(time.Second).String()
}

func (r *Reporter) report(now time.Time, s Sample, first bool) {
	f := r.figures(s)
	if r.cfg.Mode == ModeBar {
		r.term.SetLine(r.barLine(f))
		return
	}
	if !first && now.Sub(r.loggedAt) < r.cfg.LogEvery {
		return
	}
	r.loggedAt = now
	msg := "catching up"
	if first {
		msg = "far behind: catching up"
	}
	r.log.Info(msg, "job", r.cfg.Name, "behind_"+r.cfg.Unit.String(), f.Behind,
		"percent", math.Round(f.Percent*10)/10, r.cfg.Items+"_per_sec", int64(math.Round(r.itemRate)), "eta", etaString(f.ETA))
}

// finish ends a backlog: a full bar saying what was worked off stays on screen, and one
// line is logged. What is left is a moment's work: the job keeps up again.
func (r *Reporter) finish(now time.Time, s Sample) {
	took := now.Sub(r.fromAt).Round(time.Millisecond)
	if r.cfg.Mode == ModeBar {
		r.term.Finish(r.doneLine(s.Done-r.from.Done, s.Items-r.from.Items, took))
	}
	args := []any{"job", r.cfg.Name, r.cfg.Unit.String(), s.Done - r.from.Done}
	if r.cfg.Items != r.cfg.Unit.String() {
		args = append(args, r.cfg.Items, s.Items-r.from.Items)
	}
	r.log.Info("caught up", append(args, "took", took.String())...)
}

// clear takes the bar down when Run ends in the middle of a backlog.
func (r *Reporter) clear() {
	if r.cfg.Mode == ModeBar && r.active {
		r.term.Finish(r.barLine(r.figures(r.last)))
	}
}
