package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// result is one throughput run.
type result struct {
	section, key, tool, topic string
	seconds                   float64 // launch -> N done
	first                     float64 // launch -> first record or output seen
	atFirst                   int64   // records done when the first were seen
	records                   int64
	bytes                     int64 // record value bytes moved
	use                       usage
	err                       string
	all                       []float64 // the times of every repeat, fastest first
}

func (r result) fail(err error) result {
	r.err = err.Error()
	return r
}

func (r result) ok() bool { return r.err == "" && r.seconds > 0 }

func (r result) rate() float64 { return float64(r.records) / r.seconds }

// steady is the rate once the first records were seen: start-up (a JVM, a group join, the
// first batch tick) left out.
func (r result) steady() (float64, bool) {
	d := r.seconds - r.first
	if d <= 0 || r.records <= r.atFirst {
		return 0, false
	}
	return float64(r.records-r.atFirst) / d, true
}

// report collects every figure of the run and renders it as Markdown.
type report struct {
	cfg      config
	data     dataset
	runs     []result
	lat      []latencyRow
	micro    []micro
	profiles []profile
	// The talkers phase: its answers on the exact topic, and the variants left out.
	checks         []exactCheck
	talkersSkipped []string
	groups         []groupRow
	groupSkipped   string
}

func (rep *report) add(r result) { rep.runs = append(rep.runs, r) }

func (rep *report) find(section, key string) (result, bool) {
	for _, r := range rep.runs {
		if r.section == section && r.key == key {
			return r, true
		}
	}
	return result{}, false
}

// write prints the report and keeps a copy in out/results.md.
func (rep *report) write(w io.Writer, out string) error {
	var b strings.Builder
	rep.header(&b)
	rep.throughput(&b, "source", "Source: launch until all N records are in the topic (end offset)", "bridge")
	rep.throughput(&b, "stream", "Stream: launch until the sink holds all N results, from the beginning of the topic", "bridge-tshark")
	b.WriteString("bridge stream cuts live traffic on its interval grid (2 s by default, the blog's). The N records " +
		"are a backlog, already in the topic at launch: they go out in full batches of 64Ki records and a last " +
		"batch once they are read to the end, without waiting for a tick, as Spark's first micro-batch takes " +
		"all that is there. The --interval 100ms row is the same engine on a finer grid.\n\n")
	rep.latency(&b)
	rep.talkers(&b)
	rep.targets(&b)
	rep.microTable(&b)
	rep.profileTops(&b)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "results.md"), []byte(b.String()), 0o644)
}

func (rep *report) header(b *strings.Builder) {
	d := rep.data
	fmt.Fprintf(b, "# bridge benchmarks, %s\n\n", rep.cfg.startedAt.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(b, "- machine: %d cores (nproc), %s, %s, Linux %s; Kafka at %s\n", runtime.NumCPU(), cpuModel(), memTotal(), kernel(), rep.cfg.brokers)
	fmt.Fprintf(b, "- input: %s lines cycling the %d packet lines of testdata/demo/en0.log (%d%% IPv6), %.1f MB of log, "+
		"%.1f MB of record values (mean %.0f B, Connect JsonConverter envelopes)\n",
		commas(int64(d.lines)), len(d.templates), 100*d.v6/len(d.templates), mb(d.logBytes), mb(d.valueBytes), d.meanValue())
	fmt.Fprintf(b, "- load average (1 min) at the start %s, at the end %s: other work shares the 2 cores\n", rep.cfg.loadStart, loadAvg())
	fmt.Fprintf(b, "- each tool runs up to %d times in a row (once when a run takes over %s) and the median run is shown; "+
		"the machine is shared and noisy, expect 10-20%% between runs; ratios are bridge ÷ peer from this same run\n\n",
		rep.cfg.repeat, repeatUnder)
}

func (rep *report) throughput(b *strings.Builder, section, title, ref string) {
	fmt.Fprintf(b, "## %s\n\n", title)
	b.WriteString("| tool | time s | runs (s) | records/s | MB/s | peak RSS MB | CPU s | first s | records/s after first | bridge ÷ tool |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	base, haveBase := rep.find(section, ref)
	for _, r := range rep.runs {
		if r.section != section {
			continue
		}
		if r.seconds == 0 {
			fmt.Fprintf(b, "| %s | — | — | — | — | — | — | — | — | %s |\n", cell(r.tool), cell(r.err))
			continue
		}
		ratio := "—"
		if haveBase && base.ok() && r.key != ref && r.records > 0 {
			ratio = fmt.Sprintf("%.2f×", base.rate()/r.rate())
		}
		if r.err != "" {
			ratio += " (" + r.err + ")"
		}
		steady := "—" // a batch sink's first output already holds most records: no rate to see
		if v, ok := r.steady(); ok && section == "source" {
			steady = commas(int64(v))
		}
		fmt.Fprintf(b, "| %s | %.2f | %s | %s | %.1f | %.0f | %.2f | %.2f | %s | %s |\n", cell(r.tool), r.seconds, spread(r.all),
			commas(int64(r.rate())), mb(r.bytes)/r.seconds, mb(r.use.peak), r.use.cpu, r.first, steady, cell(ratio))
	}
	b.WriteString("\n")
}

func (rep *report) latency(b *strings.Builder) {
	if len(rep.lat) == 0 {
		return
	}
	fmt.Fprintf(b, "## Latency: a writer appends lines one write(2) each, like `tshark -l`, for %s per rate\n\n", rep.cfg.latFor)
	b.WriteString("| path | stage | lines/s | lines | p50 ms | p99 ms | max ms | note |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rep.lat {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.tool, r.stage, commas(int64(r.rate)),
			commas(int64(r.got)), ms(r.p50), ms(r.p99), ms(r.pmax), r.err)
	}
	b.WriteString("\nappend→ack: the line's write(2) to the broker's LogAppendTime of its record (ms resolution); " +
		"append→sink: to the moment its JSON line could be read from the stream's sink file (2 s batches, as the blog's job).\n\n")
}

func (rep *report) profileTops(b *strings.Builder) {
	for _, p := range rep.profiles {
		fmt.Fprintf(b, "## CPU profile: %s\n\n", p.name)
		if p.err != "" {
			fmt.Fprintf(b, "not captured: %s\n\n", p.err)
			continue
		}
		fmt.Fprintf(b, "%s (bin/bridge --cpuprofile, launch until N lines were through: %.2f s)\n\n```\n%s```\n\n", filepath.Base(p.path), p.seconds, trimTop(p.top))
		if p.heapTop != "" {
			fmt.Fprintf(b, "%s (--memprofile), bytes allocated over the run, by where:\n\n```\n%s```\n\n", filepath.Base(p.heap), trimTop(p.heapTop))
		}
	}
}

// trimTop drops pprof's header lines up to the table.
func trimTop(s string) string {
	if i := strings.Index(s, "      flat"); i >= 0 {
		return s[i:]
	}
	return s
}

func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

func kernel() string {
	raw, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(raw))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "unknown memory"
}

// spread lists the times of the repeats.
func spread(all []float64) string {
	parts := make([]string, len(all))
	for i, s := range all {
		parts[i] = strconv.FormatFloat(s, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}

// cell escapes the pipes of a shell pipeline inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func mb(n int64) float64 { return float64(n) / 1e6 }

func ms(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64)
}

// commas renders 1234567 as 1,234,567.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
