package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// micro is one line of `go test -bench -benchmem` output.
type micro struct {
	pkg, name string
	metrics   map[string]float64 // by unit: ns/op, MB/s, lines/s, B/op, allocs/op
	raw       string
}

// readMicro parses go test's benchmark lines, noting the package of each.
func readMicro(path string) ([]micro, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []micro
	var pending []micro
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) >= 4 && strings.HasPrefix(f[0], "Benchmark"):
			m := micro{name: f[0], metrics: map[string]float64{}, raw: line}
			for i := 2; i+1 < len(f); i += 2 {
				if v, err := strconv.ParseFloat(f[i], 64); err == nil {
					m.metrics[f[i+1]] = v
				}
			}
			pending = append(pending, m)
		case len(f) >= 2 && (f[0] == "ok" || f[0] == "PASS" || f[0] == "FAIL"):
			// "ok  <pkg> 12.3s" closes the package the lines above belonged to.
			if f[0] == "ok" {
				for i := range pending {
					pending[i].pkg = f[1]
				}
				out = append(out, pending...)
				pending = nil
			}
		}
	}
	return append(out, pending...), sc.Err()
}

func (rep *report) microTable(b *strings.Builder) {
	if len(rep.micro) == 0 {
		return
	}
	b.WriteString("## Micro-benchmarks (`go test -run '^$' -bench . -benchmem -cpu 1`)\n\n")
	b.WriteString("| package | benchmark | ns/op | MB/s | lines/s | B/op | allocs/op |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, m := range rep.micro {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", shortPkg(m.pkg), m.name, metric(m, "ns/op", 1),
			metric(m, "MB/s", 1), metric(m, "lines/s", 0), metric(m, "B/op", 0), metric(m, "allocs/op", 0))
	}
	b.WriteString("\n")
}

func shortPkg(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func metric(m micro, unit string, prec int) string {
	v, ok := m.metrics[unit]
	if !ok {
		return "—"
	}
	if prec == 0 {
		return commas(int64(v))
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// target is one goal of the issue and what this run measured for it.
type target struct {
	goal, measured string
	met            *bool // nil: not measured in this run
}

func (rep *report) targets(b *strings.Builder) {
	b.WriteString("## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range rep.targetList() {
		verdict := "not measured"
		if t.met != nil {
			verdict = map[bool]string{true: "yes", false: "**no**"}[*t.met]
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", cell(t.goal), cell(t.measured), verdict)
	}
	b.WriteString("\n")
}

func (rep *report) targetList() []target {
	var ts []target
	// ratio compares ref with the fastest of the peers' variants (stock, or tuned like bridge).
	ratio := func(goal, section, ref string, want float64, peers ...string) {
		a, okA := rep.find(section, ref)
		p, okP := rep.fastest(section, peers)
		if !okA || !okP || !a.ok() {
			ts = append(ts, target{goal: goal, measured: "a run failed or was skipped"})
			return
		}
		// A peer that timed out is compared at the rate it had reached.
		r := a.rate() / p.rate()
		m := fmt.Sprintf("%.2f× (vs %s)", r, p.tool)
		if p.err != "" {
			m += " (peer: " + p.err + ")"
		}
		ts = append(ts, target{goal: goal, measured: m, met: ptr(r >= want)})
	}
	ratio("source ≥ 5× Connect FileStreamSource (records/s)", "source", "bridge", 5, "connect")
	ratio("source ≥ 1.0× kcat -P", "source", "bridge", 1, "kcat", "kcat-snappy")
	ratio("source ≥ 0.8× ProducerPerformance", "source", "bridge", 0.8, "perf", "perf-tuned")
	ratio("stream (tshark parser) ≥ 2× kcat|awk", "stream", "bridge-tshark", 2, "kcat-awk", "kcat-awk-blog")
	ratio("stream (seed parser) ≥ 2× kcat|awk", "stream", "bridge-seed", 2, "kcat-awk", "kcat-awk-blog")
	ratio("stream (tshark parser) ≥ 10× Spark", "stream", "bridge-tshark", 10, "spark")
	ts = append(ts, rep.parserTarget(), rep.latencyTarget())
	ts = append(ts, rep.rssTarget("source", "bridge"), rep.rssTarget("stream", "bridge-tshark"), rep.rssTarget("stream", "bridge-seed"))
	ts = append(ts, rep.talkersTargets()...)
	return ts
}

// fastest returns the peer run with the highest rate among keys.
func (rep *report) fastest(section string, keys []string) (result, bool) {
	var best result
	found := false
	for _, k := range keys {
		if r, ok := rep.find(section, k); ok && r.seconds > 0 && r.records > 0 && (!found || r.rate() > best.rate()) {
			best, found = r, true
		}
	}
	return best, found
}

func (rep *report) parserTarget() target {
	t := target{goal: "parser ≥ 5 M lines/s on one core, 0 allocs/line (BenchmarkParseInto)"}
	for _, m := range rep.micro {
		if m.name == "BenchmarkParseInto" {
			lps, allocs := m.metrics["lines/s"], m.metrics["allocs/op"]
			t.measured = fmt.Sprintf("%.2f M lines/s, %.0f allocs/line", lps/1e6, allocs)
			t.met = ptr(lps >= 5e6 && allocs == 0)
		}
	}
	return t
}

func (rep *report) latencyTarget() target {
	t := target{goal: "p99 append→ack ≤ 20 ms at 10k lines/s (bridge source)"}
	for _, r := range rep.lat {
		if r.tool == "bridge source" && r.stage == "append→ack" && r.rate == 10000 && r.got > 0 {
			t.measured = fmt.Sprintf("p99 %s ms (%d of %d lines)", ms(r.p99), r.got, r.sent)
			t.met = ptr(r.p99 <= 20*time.Millisecond && r.got == r.sent)
		}
	}
	return t
}

func (rep *report) rssTarget(section, key string) target {
	t := target{goal: fmt.Sprintf("%s RSS ≤ 100 MB at full speed (%s)", section, key)}
	if r, ok := rep.find(section, key); ok && r.use.peak > 0 {
		t.measured = fmt.Sprintf("%.0f MB", mb(r.use.peak))
		t.met = ptr(r.use.peak <= 100e6)
	}
	return t
}

func ptr[T any](v T) *T { return &v }
