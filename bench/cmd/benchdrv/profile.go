package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream"
)

// profileTimeout bounds one profiled run.
const profileTimeout = 3 * time.Minute

// profilePhase captures CPU profiles of the source and the stream at full speed. bin/bridge
// has no profiling flag, so the driver runs the same packages in its own process, with
// the configuration the bridge commands build from the same flags.
func (b *bench) profilePhase(ctx context.Context) {
	dir := filepath.Join(b.cfg.out, "profile")
	// A saved position from an earlier run would make the source resume at the end.
	if err := os.RemoveAll(dir); err != nil {
		b.rep.profiles = append(b.rep.profiles, profile{name: "all", err: err.Error()})
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.rep.profiles = append(b.rep.profiles, profile{name: "all", err: err.Error()})
		return
	}
	topic, srcProf := b.profileSource(ctx, dir)
	b.rep.profiles = append(b.rep.profiles, srcProf)
	if topic == "" {
		return
	}
	b.rep.profiles = append(b.rep.profiles, b.profileStream(ctx, dir, topic))
}

// profile is one captured CPU profile and its flat top functions, with the heap in use at
// the moment all N lines were through.
type profile struct {
	name, path, top, err string
	heap, heapTop        string
	seconds              float64
}

func (b *bench) profileSource(ctx context.Context, dir string) (string, profile) {
	pr := profile{name: "source", path: filepath.Join(dir, "source.cpu.pprof")}
	topic, err := b.k.topic(ctx, "bench-"+b.cfg.runID+"-prof-src", false)
	if err != nil {
		pr.err = err.Error()
		return "", pr
	}
	src, err := connector.New(connector.Config{
		File: b.data.log, Topic: topic, Brokers: []string{b.cfg.brokers},
		Format: connector.FormatJSONSchema, OffsetsFile: filepath.Join(dir, "source.offsets"),
	}, quietLog())
	if err != nil {
		pr.err = err.Error()
		return "", pr
	}
	err = b.profiled(ctx, &pr, src.Run, func() (int64, error) { return b.k.end(ctx, topic) })
	if err != nil {
		pr.err = err.Error()
		return "", pr
	}
	return topic, pr
}

func (b *bench) profileStream(ctx context.Context, dir, topic string) profile {
	pr := profile{name: "stream (tshark parser, jsonl sink)", path: filepath.Join(dir, "stream.cpu.pprof")}
	cfg := stream.DefaultConfig(topic)
	cfg.Brokers, cfg.Group, cfg.FromBeginning = []string{b.cfg.brokers}, b.group("prof"), true
	st, err := stream.New(cfg, quietLog())
	if err != nil {
		pr.err = err.Error()
		return pr
	}
	defer st.Close()
	out := filepath.Join(dir, "stream.pairs.jsonl")
	os.Remove(out)
	sk, err := sink.CreateJSONL(out)
	if err != nil {
		pr.err = err.Error()
		return pr
	}
	defer sk.Close(context.Background())
	run := func(ctx context.Context) error { return st.Run(ctx, []sink.Sink{sk}) }
	lc := &lineCounter{path: out}
	if err := b.profiled(ctx, &pr, run, lc.count); err != nil {
		pr.err = err.Error()
	}
	return pr
}

// profiled runs fn under the CPU profiler until progress reports N, then cancels it.
func (b *bench) profiled(ctx context.Context, pr *profile, fn func(context.Context) error, progress func() (int64, error)) error {
	f, err := os.Create(pr.path)
	if err != nil {
		return err
	}
	defer f.Close()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	start := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- fn(runCtx) }()
	err = waitProgress(ctx, int64(b.cfg.lines), progress, errc, profileTimeout)
	pprof.StopCPUProfile()
	pr.seconds = time.Since(start).Seconds()
	if err == nil {
		err = pr.writeHeap()
	}
	cancel()
	if runErr := <-errc; err == nil && runErr != nil && runErr != context.Canceled {
		err = runErr
	}
	if err != nil {
		return err
	}
	if pr.top, err = pprofTop(pr.path); err != nil {
		return err
	}
	pr.heapTop, err = pprofTop(pr.heap, "-sample_index=inuse_space", "-nodecount=12")
	return err
}

// writeHeap saves the live heap: what the run holds while it has all N lines in hand.
func (pr *profile) writeHeap() error {
	pr.heap = strings.Replace(pr.path, ".cpu.", ".heap.", 1)
	f, err := os.Create(pr.heap)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}

func waitProgress(ctx context.Context, n int64, progress func() (int64, error), errc chan error, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if got, err := progress(); err == nil && got >= n {
			return nil
		}
		select {
		case err := <-errc:
			errc <- err
			return fmt.Errorf("stopped early: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(endPoll):
		}
	}
	return fmt.Errorf("not done within %s", timeout)
}

// pprofTop renders the flat and cumulative top functions with `go tool pprof`.
func pprofTop(path string, flags ...string) (string, error) {
	args := append([]string{"tool", "pprof", "-top", "-nodecount=25"}, flags...)
	out, err := exec.Command("go", append(args, path)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v: %s", err, out)
	}
	txt := path + ".top.txt"
	return string(out), os.WriteFile(txt, out, 0o644)
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
