package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/bridge-project/bridge/internal/harness"
)

// clockTick is Linux's USER_HZ, the unit of the CPU times in /proc/PID/stat.
const clockTick = 100

// sampleEvery is how often the memory of a running tool's process tree is sampled: often
// enough for a peak, rarely enough that walking /proc costs the measured tools little.
const sampleEvery = 200 * time.Millisecond

// usage is what a process (tree) cost: CPU seconds (user + system) and peak resident memory.
type usage struct {
	cpu  float64
	peak int64 // bytes
}

func (u usage) add(v usage) usage { return usage{cpu: u.cpu + v.cpu, peak: u.peak + v.peak} }

// proc is one tool under measurement, started in its own process group so that a tool
// that forks (pyspark starts a JVM) is measured and stopped as a whole.
type proc struct {
	name  string
	cmd   *exec.Cmd
	start time.Time
	done  chan struct{}
	err   error // Wait's result, once done is closed
	end   time.Time
	peaks harness.Peak
}

// spec says how to start a tool: its arguments, where its output goes (a log file unless
// stdout is given), and optionally its stdin and extra environment.
type spec struct {
	name   string
	log    string
	argv   []string
	stdin  io.Reader
	stdout io.Writer
	env    []string
}

func startProc(s spec) (*proc, error) {
	lf, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.stdin, lf, lf
	if s.stdout != nil {
		cmd.Stdout = s.stdout
	}
	cmd.Env = append(os.Environ(), s.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &proc{name: s.name, cmd: cmd, done: make(chan struct{})}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", s.name, err)
	}
	go func() {
		p.err = cmd.Wait()
		p.end = time.Now()
		lf.Close()
		close(p.done)
	}()
	pid := cmd.Process.Pid
	go p.peaks.Follow(func() []int { return harness.Tree(pid) }, sampleEvery, p.done)
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// usage measures the process: CPU from the kernel's rusage once it exited (its whole life),
// else from /proc for it and every descendant still alive (CPU so far). The peak is the sum
// over the tree (its members run side by side) of each member's VmHWM, sampled while it ran.
//
// Not rusage's Maxrss: at exec Linux folds the forking parent's high-water mark into the
// child's, so for a tool this driver starts it would report the driver's own size when that
// is the larger.
func (p *proc) usage() usage {
	if p.exited() {
		ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return usage{peak: p.peaks.KiB() * 1024}
		}
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		return usage{cpu: cpu, peak: p.peaks.KiB() * 1024}
	}
	pids := harness.Tree(p.cmd.Process.Pid)
	p.peaks.Sample(pids...)
	var u usage
	for _, pid := range pids {
		u.cpu += procCPU(pid)
	}
	u.peak = p.peaks.KiB() * 1024
	return u
}

// stop ends a tool that is still running: SIGTERM to its group, SIGKILL after grace.
func (p *proc) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// failed says why a tool that exited on its own did so badly, or "".
func (p *proc) failed() string {
	if !p.exited() || p.err == nil {
		return ""
	}
	return fmt.Sprintf("%s exited: %v", p.name, p.err)
}

// procCPU reads one live process's CPU seconds: utime+stime+cutime+cstime.
func procCPU(pid int) float64 {
	var cpu float64
	if f, ok := harness.StatFields(pid); ok && len(f) > 14 {
		for _, s := range f[11:15] {
			n, _ := strconv.ParseInt(s, 10, 64)
			cpu += float64(n) / clockTick
		}
	}
	return cpu
}
