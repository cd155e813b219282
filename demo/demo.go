package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bridge-project/bridge"
	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/devbroker"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream"
	"github.com/bridge-project/bridge/web"
)

// Defaults.
const (
	DefaultListen = "127.0.0.1:0"
	DefaultTopic  = connector.DefaultTopic
	DefaultGroup  = "bridge-demo"
	DefaultNum    = 10
	DefaultSpeed  = 1.0
)

// ErrNoTshark means --live was asked for on a machine without tshark.
var ErrNoTshark = errors.New("tshark not found on PATH: install it (Debian/Ubuntu: apt-get install tshark; " +
	"macOS: brew install wireshark) or run the demo without --live")

// Config sets up the demo; start from DefaultConfig.
type Config struct {
	// Listen is where the embedded broker listens; port 0 picks a free one.
	Listen string
	// Dir holds the log and the source's offsets; empty means a temporary folder that is
	// removed at the end.
	Dir      string
	Topic    string
	Interval time.Duration
	Num      int
	// Top, when above 0, prints the most frequent pairs per batch instead of tuples.
	Top int
	// Speed divides the pauses of the replayed capture.
	Speed float64
	// Live captures with `tshark -l -i Iface` instead of replaying the bundled capture.
	Live  bool
	Iface string
	// CaptureFilter is a capture filter (pcap-filter syntax) for --live; the embedded
	// broker's port is excluded whether it is set or not.
	CaptureFilter string
	Tshark        string // the tshark binary; default looked up on PATH
	// View, when set, is shown the demo's stream (its owner serves it).
	View *web.Server
}

// DefaultConfig returns the demo's defaults: the bundled capture replayed at its pace on an
// embedded broker, Spark's 2 s batches.
func DefaultConfig() Config {
	return Config{
		Listen: DefaultListen, Topic: DefaultTopic, Interval: stream.DefaultInterval,
		Num: DefaultNum, Speed: DefaultSpeed, Tshark: "tshark",
	}
}

// Validate reports every bad field at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(msg string) { errs = append(errs, errors.New(msg)) }
	switch {
	case c.Live && c.Iface == "":
		bad("--live needs an interface: -i IFACE")
	case !c.Live && c.Iface != "":
		bad("-i/--interface is for a live capture: add --live (bridge demo --live -i IFACE)")
	}
	if !c.Live && c.CaptureFilter != "" {
		bad("-f/--capture-filter is for a live capture: add --live")
	}
	if c.Listen == "" || c.Topic == "" || c.Tshark == "" {
		bad("listen address, topic and tshark must not be empty")
	}
	if c.Interval <= 0 || c.Speed <= 0 {
		bad("interval and speed must be positive")
	}
	if c.Num < 0 || c.Top < 0 {
		bad("num and top must not be negative")
	}
	return errors.Join(errs...)
}

// Run starts the embedded broker, the writer of the log (replay or live tshark), the
// source and the stream, prints batches to out until ctx ends, then stops them all.
func Run(ctx context.Context, cfg Config, out io.Writer, log *slog.Logger) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	tshark := ""
	if cfg.Live {
		path, err := findTshark(cfg.Tshark)
		if err != nil {
			return err
		}
		tshark = path
	}
	dir, cleanup, err := workDir(cfg.Dir)
	if err != nil {
		return err
	}
	defer cleanup()

	broker, err := devbroker.Start(devbroker.Config{
		Listen: cfg.Listen, Partitions: 1, Topics: []string{cfg.Topic},
	}, log)
	if err != nil {
		return err
	}
	defer broker.Close()

	logPath := filepath.Join(dir, "en0.log")
	if err := os.WriteFile(logPath, nil, 0o644); err != nil {
		return fmt.Errorf("demo log: %w", err)
	}
	ccfg := connector.DefaultConfig()
	ccfg.File, ccfg.Topic, ccfg.Brokers = logPath, cfg.Topic, []string{broker.Addr()}
	ccfg.OffsetsFile = filepath.Join(dir, "offsets.json")
	src, err := connector.New(ccfg, log)
	if err != nil {
		return err
	}
	num := cfg.Num
	if cfg.Top > 0 {
		num = cfg.Top
	}
	pcfg := sink.DefaultStdoutConfig()
	pcfg.Num = num
	out2, err := sink.NewStdout(out, pcfg)
	if err != nil {
		return err
	}
	scfg := stream.DefaultConfig(cfg.Topic)
	scfg.Brokers, scfg.Group, scfg.Interval, scfg.FromBeginning = []string{broker.Addr()}, DefaultGroup, cfg.Interval, true
	scfg.Top = cfg.Top
	obs := watchForView(cfg, &scfg)
	st, err := stream.New(scfg, log)
	if err != nil {
		return err
	}
	sinks, view, err := withView(cfg, st, obs, out2)
	if err != nil {
		return err
	}

	log.Info("demo running: Ctrl-C stops it", "log", logPath, "broker", broker.Addr(), "topic", cfg.Topic, "live", cfg.Live)
	write := func(ctx context.Context) error { return replay(ctx, logPath, cfg.Speed) }
	if cfg.Live {
		args := captureArgs(cfg.Iface, cfg.CaptureFilter, broker.Addr())
		write = func(ctx context.Context) error { return capture(ctx, tshark, args, logPath, log) }
	}
	return runAll(ctx,
		func(ctx context.Context) error { return st.Run(ctx, sinks) },
		src.Run,
		write,
		view,
	)
}

func workDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("demo dir: %w", err)
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "bridge-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("demo dir: %w", err)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

func replay(ctx context.Context, path string, speed float64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("demo log: %w", err)
	}
	defer f.Close()
	r := NewReplayer(bridge.DemoLog)
	r.Speed = speed
	return r.Run(ctx, f)
}

// runAll runs every part until ctx ends or one of them fails, which stops the others, and
// waits for all of them.
func runAll(ctx context.Context, parts ...func(context.Context) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := part(ctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				errs[i] = err
				cancel(err)
				return
			}
			if ctx.Err() == nil {
				cancel(nil) // a part that ends by itself ends the demo
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
