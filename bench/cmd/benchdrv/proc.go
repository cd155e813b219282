package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of the CPU times in /proc/PID/stat.
const clockTick = 100

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

// usage measures the process: from the kernel's rusage once it exited (its whole life),
// else from /proc for it and every descendant still alive (CPU so far, peak RSS so far,
// summed over the tree because its members run side by side).
func (p *proc) usage() usage {
	if p.exited() {
		ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return usage{}
		}
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		return usage{cpu: cpu, peak: ru.Maxrss * 1024}
	}
	var u usage
	for _, pid := range tree(p.cmd.Process.Pid) {
		u = u.add(procUsage(pid))
	}
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

// tree lists pid and its descendants.
func tree(root int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := parentOf(pid); ok {
			children[pp] = append(children[pp], pid)
		}
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// statFields returns the fields of /proc/PID/stat after the command name, which may hold
// spaces: field 3 (state) is index 0.
func statFields(pid int) ([]string, bool) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(string(raw[i+1:])), true
}

func parentOf(pid int) (int, bool) {
	f, ok := statFields(pid)
	if !ok || len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

// procUsage reads one live process: utime+stime+cutime+cstime, and VmHWM.
func procUsage(pid int) usage {
	var u usage
	if f, ok := statFields(pid); ok && len(f) > 14 {
		for _, s := range f[11:15] {
			n, _ := strconv.ParseInt(s, 10, 64)
			u.cpu += float64(n) / clockTick
		}
	}
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return u
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			u.peak = kb * 1024
		}
	}
	return u
}
