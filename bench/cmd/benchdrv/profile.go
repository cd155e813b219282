package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// profileTimeout bounds one profiled run.
const profileTimeout = 3 * time.Minute

// profilePhase captures CPU and heap profiles of bin/bridge's source and stream at full
// speed, with the hidden --cpuprofile and --memprofile flags.
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

// profile is one captured CPU profile and its flat top functions, with where the run
// allocated (the heap still in use at the stop is next to nothing).
type profile struct {
	name, path, top, err string
	heap, heapTop        string
	seconds              float64
}

func newProfile(name, dir, file string) profile {
	return profile{name: name, path: filepath.Join(dir, file+".cpu.pprof"), heap: filepath.Join(dir, file+".heap.pprof")}
}

func (pr *profile) flags() []string {
	return []string{"--cpuprofile", pr.path, "--memprofile", pr.heap}
}

func (b *bench) profileSource(ctx context.Context, dir string) (string, profile) {
	pr := newProfile("source", dir, "source")
	topic, err := b.k.topic(ctx, "bench-"+b.cfg.runID+"-prof-src", false)
	if err != nil {
		pr.err = err.Error()
		return "", pr
	}
	argv := []string{b.cfg.bridge, "source", "--file", b.data.log, "--topic", topic, "--brokers", b.cfg.brokers,
		"--offsets", filepath.Join(dir, "source.offsets"), "--log-level", "warn"}
	err = b.profiled(ctx, &pr, spec{name: "bridge source", log: filepath.Join(dir, "source.log"), argv: append(argv, pr.flags()...)},
		func() (int64, error) { return b.k.end(ctx, topic) })
	if err != nil {
		pr.err = err.Error()
		return "", pr
	}
	return topic, pr
}

func (b *bench) profileStream(ctx context.Context, dir, topic string) profile {
	pr := newProfile("stream (tshark parser, jsonl sink)", dir, "stream")
	out := filepath.Join(dir, "stream.pairs.jsonl")
	os.Remove(out)
	argv := []string{b.cfg.bridge, "stream", topic, "--brokers", b.cfg.brokers, "--group", b.group("prof"),
		"--from-beginning", "--sink", "jsonl:" + out, "--log-level", "warn"}
	lc := &lineCounter{path: out}
	if err := b.profiled(ctx, &pr, spec{name: "bridge stream", log: filepath.Join(dir, "stream.log"), argv: append(argv, pr.flags()...)},
		lc.count); err != nil {
		pr.err = err.Error()
	}
	return pr
}

// profiled runs the profiled bridge command until progress reports N, then stops it with
// SIGTERM so that it writes its profiles, and renders their tops.
func (b *bench) profiled(ctx context.Context, pr *profile, sp spec, progress func() (int64, error)) error {
	p, err := startProc(sp)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		<-p.done
		errc <- fmt.Errorf("%s exited: %v", sp.name, p.err)
	}()
	err = waitProgress(ctx, int64(b.cfg.lines), progress, errc, profileTimeout)
	pr.seconds = time.Since(p.start).Seconds()
	p.stop(30 * time.Second)
	if err != nil {
		return err
	}
	if p.err != nil {
		return fmt.Errorf("%s: %v (see %s)", sp.name, p.err, sp.log)
	}
	if pr.top, err = pprofTop(pr.path); err != nil {
		return err
	}
	pr.heapTop, err = pprofTop(pr.heap, "-sample_index=alloc_space", "-nodecount=12")
	return err
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
