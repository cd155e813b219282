package harness

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Memory is a process's resident set as /proc/PID/status gives it, in KiB: RSS now (VmRSS) and
// its peak so far (VmHWM).
type Memory struct {
	RSS, HWM int64
}

// ReadMemory reads the resident set of a live process. It is false once the process is gone:
// a zombie has no memory left to read, so a peak must be sampled while the process runs.
func ReadMemory(pid int) (Memory, bool) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return Memory{}, false
	}
	var m Memory
	found := false
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			m.HWM, found = kib(rest), true
		} else if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			m.RSS = kib(rest)
		}
	}
	return m, found
}

func kib(field string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(field), " kB"), 10, 64)
	return n
}

// Peak follows the peak resident set of a process, or of a process tree, by sampling VmHWM
// while it runs.
//
// It is not wait4's Maxrss: at exec Linux folds the forking process's high-water mark into
// the child's, so for a child of a large parent (a test binary, the benchmark driver) that
// figure is the parent's size, not the child's.
type Peak struct {
	kib atomic.Int64
}

// Sample reads the VmHWM of each pid still alive now, and keeps their sum if it is the
// highest yet: the members of a tree run side by side.
func (p *Peak) Sample(pids ...int) {
	var sum int64
	for _, pid := range pids {
		if m, ok := ReadMemory(pid); ok {
			sum += m.HWM
		}
	}
	for {
		old := p.kib.Load()
		if sum <= old || p.kib.CompareAndSwap(old, sum) {
			return
		}
	}
}

// Follow samples the processes pids lists every interval until done is closed.
func (p *Peak) Follow(pids func() []int, every time.Duration, done <-chan struct{}) {
	for {
		p.Sample(pids()...)
		select {
		case <-done:
			return
		case <-time.After(every):
		}
	}
}

// KiB is the highest sample, in KiB.
func (p *Peak) KiB() int64 { return p.kib.Load() }

// Tree lists pid and its live descendants.
func Tree(root int) []int {
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

// StatFields returns the fields of /proc/PID/stat after the command name, which may hold
// spaces: field 3 (state) is index 0.
func StatFields(pid int) ([]string, bool) {
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
	f, ok := StatFields(pid)
	if !ok || len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}
