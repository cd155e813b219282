package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/pflag"
)

// profiles are the hidden --cpuprofile and --memprofile flags: pprof files of the real
// binary at work, for bench/ and for anyone chasing a slow path. They are written when the
// command ends without error (a stop by signal included).
type profiles struct {
	cpu, mem string
	cpuFile  *os.File
}

func addProfileFlags(pf *pflag.FlagSet) {
	pf.String("cpuprofile", "", "write a CPU profile to this file")
	pf.String("memprofile", "", "write a heap profile to this file at exit")
	for _, name := range []string{"cpuprofile", "memprofile"} {
		_ = pf.MarkHidden(name) // a developer's tool, not part of the interface
	}
}

func (p *profiles) start(s *settings) error {
	p.cpu, p.mem = s.String("cpuprofile"), s.String("memprofile")
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("cpu profile: %w", err)
	}
	p.cpuFile = f
	return nil
}

func (p *profiles) stop() error {
	var errs []error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpuFile.Close())
		p.cpuFile = nil
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
