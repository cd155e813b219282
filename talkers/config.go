package talkers

import (
	"fmt"
	"time"
)

// Defaults and limits.
const (
	// DefaultProtocols is how many protocols a result's protocol mix shows; the rest is
	// Result.OtherProtocols.
	DefaultProtocols = 8
	// protocolCapacity is the protocol tally's summary capacity: tshark's Protocol column
	// rarely has more than a few dozen values in a window, so it is practically exact.
	protocolCapacity = 64
	// MaxPanes caps Window/Slide. Panes are made only when a record falls in them, so a long
	// window costs nothing up front (8760h by 2s is 15,768,000 slides and fits); the cap
	// keeps pane arithmetic far from overflow and a window's pane scan bounded.
	MaxPanes = 1 << 24
)

// Config says what a Windows or Totals counts and shows.
type Config struct {
	Key       KeyKind       // what to count under; 0 is Pair
	By        Measure       // what ranks the keys; 0 is Packets
	Prefix    Prefix        // network rollup; the zero value (so also 0,0) is NoPrefix
	Capacity  int           // keys per summary (--top-capacity); 0 is DefaultCapacity, or Unlimited
	Top       int           // rows per result; 0 is every key the summary keeps
	Protocols int           // rows of the protocol mix; 0 is DefaultProtocols
	Window    time.Duration // window length W (Windows only)
	Slide     time.Duration // slide S, W a multiple of S; 0 is W (tumbling)
	// SkipEmpty makes Advance skip windows that hold no record; by default it emits them,
	// as Spark prints empty batches.
	SkipEmpty bool
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Key == 0 {
		c.Key = Pair
	}
	if c.By == 0 {
		c.By = Packets
	}
	if c.Prefix == (Prefix{}) {
		c.Prefix = NoPrefix
	}
	if c.Capacity == 0 {
		c.Capacity = DefaultCapacity
	}
	if c.Protocols == 0 {
		c.Protocols = DefaultProtocols
	}
	if c.Slide == 0 {
		c.Slide = c.Window
	}
	return c
}

// Validate reports a setting out of range (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case !c.Key.valid():
		return ErrKind
	case !c.By.valid():
		return ErrMeasure
	case c.Prefix.Validate() != nil:
		return ErrPrefix
	case c.Capacity != Unlimited && (c.Capacity < 1 || c.Capacity > MaxCapacity):
		return fmt.Errorf("top capacity %d: want 1..%d or unlimited", c.Capacity, MaxCapacity)
	case c.Top < 0 || c.Protocols < 0:
		return fmt.Errorf("top %d, protocols %d: want ≥ 0", c.Top, c.Protocols)
	}
	return nil
}

// validateWindow checks W and S for Windows.
func (c Config) validateWindow() error {
	c = c.withDefaults()
	switch {
	case c.Window <= 0 || c.Slide <= 0:
		return fmt.Errorf("%w: window %v and slide %v must be positive", ErrWindow, c.Window, c.Slide)
	case c.Window%c.Slide != 0:
		return fmt.Errorf("%w: window %v is not a multiple of slide %v", ErrWindow, c.Window, c.Slide)
	case c.Window/c.Slide > MaxPanes:
		return fmt.Errorf("%w: window %v holds more than %d slides of %v", ErrWindow, c.Window, MaxPanes, c.Slide)
	}
	return nil
}
