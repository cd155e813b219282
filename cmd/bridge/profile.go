package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/pflag"
)

// profiles are the hidden --cpuprofile, --memprofile and --trace flags: pprof files and
// an execution trace (`go tool trace`: which goroutine ran when, and when a core sat idle)
// of the real binary at work, for bench/ and for anyone chasing a slow path. They are
// written when the command ends without error (a stop by signal included).
type profiles struct {
	cpu, mem, trace    string
	cpuFile, traceFile *os.File
}

func addProfileFlags(pf *pflag.FlagSet) {
	pf.String("cpuprofile", "", "write a CPU profile to this file")
	pf.String("memprofile", "", "write a heap profile to this file at exit")
	pf.String("trace", "", "write an execution trace to this file")
	for _, name := range []string{"cpuprofile", "memprofile", "trace"} {
		_ = pf.MarkHidden(name) // a developer's tool, not part of the interface
	}
}

func (p *profiles) start(s *settings) error {
	p.cpu, p.mem, p.trace = s.String("cpuprofile"), s.String("memprofile"), s.String("trace")
	if p.cpu != "" {
		f, err := startFile(p.cpu, pprof.StartCPUProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		p.cpuFile = f
	}
	if p.trace != "" {
		f, err := startFile(p.trace, trace.Start)
		if err != nil {
			return errors.Join(fmt.Errorf("trace: %w", err), p.stop())
		}
		p.traceFile = f
	}
	return nil
}

// startFile creates name and starts writing a profile of some kind into it.
func startFile(name string, start func(io.Writer) error) (*os.File, error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (p *profiles) stop() error {
	var errs []error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpuFile.Close())
		p.cpuFile = nil
	}
	if p.traceFile != nil {
		trace.Stop()
		errs = append(errs, p.traceFile.Close())
		p.traceFile = nil
	}
	if p.mem != "" {
		errs = append(errs, writeHeap(p.mem))
	}
	return errors.Join(errs...)
}

func writeHeap(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	runtime.GC() // the live heap as of now, not as of the last collection
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}
