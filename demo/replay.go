// Package demo runs the whole pipeline inside one process for a first look: the embedded
// broker, a source following a log that the bundled capture (an office network, see
// demo/netgen) is replayed into, or that a live tshark writes, and the stream job printing
// Spark-style batches. It is what `bridge demo` and `make demo` run.
package demo

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Replayer appends a recorded tshark log to a writer at the pace it was captured,
// round after round, renumbering frames and shifting times so the output reads like one
// capture that never stops, the way `tshark -l >> file` would write it.
type Replayer struct {
	lines    [][]byte
	times    []float64
	duration float64
	// MaxGap caps the pause between two lines, so a quiet stretch in the capture does
	// not stall the demo.
	MaxGap time.Duration
	// Speed divides every pause: 2 replays twice as fast as captured.
	Speed float64
	// Rounds stops after this many passes over the log; 0 means forever.
	Rounds int
}

// NewReplayer reads a tshark log in the default layout (number, relative time, ...).
// Lines whose time does not parse are kept and sent without a pause.
func NewReplayer(log []byte) *Replayer {
	r := &Replayer{MaxGap: 250 * time.Millisecond, Speed: 1}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		t := -1.0
		if f := bytes.Fields(line); len(f) > 1 {
			if v, err := strconv.ParseFloat(string(f[1]), 64); err == nil {
				t = v
			}
		}
		r.lines = append(r.lines, line)
		r.times = append(r.times, t)
		r.duration = max(r.duration, t)
	}
	return r
}

// Len is the number of lines in one round.
func (r *Replayer) Len() int { return len(r.lines) }

// Run writes lines to w until ctx ends or Rounds are done. Each line is written whole with
// its newline in one Write call, as tshark -l does.
func (r *Replayer) Run(ctx context.Context, w io.Writer) error {
	if len(r.lines) == 0 {
		return fmt.Errorf("replay: empty log")
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	var buf []byte
	prev := 0.0
	for round := 0; r.Rounds == 0 || round < r.Rounds; round++ {
		offset := float64(round) * (r.duration + 0.5)
		for i, line := range r.lines {
			if t := r.times[i]; t >= 0 {
				if err := r.sleep(ctx, timer, t+offset-prev); err != nil {
					return err
				}
				prev = t + offset
			}
			buf = r.render(buf[:0], line, round*len(r.lines), offset, r.times[i])
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("replay: %w", err)
			}
		}
	}
	return nil
}

func (r *Replayer) sleep(ctx context.Context, timer *time.Timer, secs float64) error {
	d := time.Duration(secs / r.Speed * float64(time.Second))
	if d <= 0 {
		return ctx.Err()
	}
	timer.Reset(min(d, r.MaxGap))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// render rewrites the frame number and time of line for a later round, keeping tshark's
// column layout: the number right-aligned in at least 5 columns, 9 decimals of time.
func (r *Replayer) render(dst, line []byte, shift int, offset, t float64) []byte {
	if shift == 0 || t < 0 {
		return append(append(dst, line...), '\n')
	}
	f := bytes.Fields(line)
	no, err := strconv.Atoi(string(f[0]))
	if err != nil {
		return append(append(dst, line...), '\n')
	}
	timeEnd := bytes.Index(line, f[1]) + len(f[1])
	dst = fmt.Appendf(dst, "%5d %.9f", no+shift, t+offset)
	dst = append(dst, line[timeEnd:]...)
	return append(dst, '\n')
}
