package main

import (
	"fmt"
	"strconv"
	"strings"
)

// exactCheck is one --top answer on the exact topic held against the driver's count.
type exactCheck struct {
	tool, detail string
	ok           bool
}

// checkExact compares a run's top list with the driver's exact count of the same records.
func (b *bench) checkExact(t *talkersTopic, tr talkersRun, got []talker) exactCheck {
	c := exactCheck{tool: tr.label}
	host, byBytes := hasFlag(tr.variant, "--key", "host"), hasFlag(tr.variant, "--by", "bytes")
	if t.counts == nil {
		t.counts = map[bool]*exactCounter{}
	}
	ec := t.counts[host]
	if ec == nil {
		ec = newExactCounter(host)
		if err := ec.addEnvelopes(t.envelopes); err != nil {
			c.detail = "no exact count: " + err.Error()
			return c
		}
		t.counts[host] = ec
	}
	c.ok, c.detail = sameTop(ec.top(topN, byBytes), got)
	return c
}

// sameTop says whether got lists the keys of want in order with the same packets (and
// bytes, when got carries them), and where it first differs.
func sameTop(want, got []talker) (bool, string) {
	if len(got) != len(want) {
		return false, fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.key != w.key || g.packets != w.packets || g.bytes != 0 && g.bytes != w.bytes {
			return false, fmt.Sprintf("row %d: %s %d packets %d bytes, want %s %d packets %d bytes",
				i+1, g.key, g.packets, g.bytes, w.key, w.packets, w.bytes)
		}
	}
	return true, fmt.Sprintf("top %d equal (first: %s, %d packets, %d bytes)", len(want), want[0].key, want[0].packets, want[0].bytes)
}

// addCheck keeps one check per tool: the last repeat's.
func (rep *report) addCheck(c exactCheck) {
	for i := range rep.checks {
		if rep.checks[i].tool == c.tool {
			rep.checks[i] = c
			return
		}
	}
	rep.checks = append(rep.checks, c)
}

// talkers renders the phase's tables.
func (rep *report) talkers(b *strings.Builder) {
	if !rep.has("talkers-flood") && !rep.has("talkers-exact") && len(rep.checks) == 0 {
		return
	}
	fmt.Fprintf(b, "## Talkers: `--top %d --window %s` over a flood of distinct pairs (issue 13)\n\n", topN, topWindow)
	fmt.Fprintf(b, "Input: two topics of %s Connect envelopes each: a flood whose every record is a distinct (src, dst) "+
		"pair (sources walking 10.0.0.0/8 and 2001:db8::/32, the capture's real frames and lengths), and one of at most "+
		"%s pairs (%d heavy ones, the rest even). Times are launch until the answer is out: for bridge --top the first "+
		"window holding all N records, for the plain stream N tuples in its jsonl sink, for "+
		"the pipeline head's output, for Spark the micro-batch that took the last record. Peak RSS is the process "+
		"tree's VmHWM sampled while it ran; CPU is user+sys from wait4 (or /proc while it runs).\n\n",
		commas(int64(rep.cfg.lines)), commas(exactPairs), exactHeavy)
	for _, sec := range []struct{ key, title string }{
		{"talkers-flood", "every record a distinct pair"},
		{"talkers-exact", fmt.Sprintf("≤ %s distinct pairs", commas(exactPairs))},
	} {
		if rep.has(sec.key) {
			rep.talkersTable(b, sec.key, sec.title)
		}
	}
	for _, s := range rep.talkersSkipped {
		fmt.Fprintf(b, "- skipped %s\n", s)
	}
	if len(rep.talkersSkipped) > 0 {
		b.WriteString("\n")
	}
	rep.groupTable(b)
	if len(rep.checks) > 0 {
		fmt.Fprintf(b, "### Exactness on the ≤ %s-pair topic: each answer against the driver's own count\n\n", commas(exactPairs))
		b.WriteString("| run | equal | detail |\n|---|---|---|\n")
		for _, c := range rep.checks {
			fmt.Fprintf(b, "| %s | %s | %s |\n", cell(c.tool), map[bool]string{true: "yes", false: "**no**"}[c.ok], cell(c.detail))
		}
		b.WriteString("\n")
	}
}

func (rep *report) has(section string) bool {
	for _, r := range rep.runs {
		if r.section == section {
			return true
		}
	}
	return false
}

func (rep *report) talkersTable(b *strings.Builder, section, title string) {
	fmt.Fprintf(b, "### %s\n\n", title)
	b.WriteString("| run | time s | runs (s) | peak RSS MB | CPU s | CPU ÷ plain | bridge --top ÷ tool (records/s) | note |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---|\n")
	plain, okPlain := rep.find(section, "plain")
	top, okTop := rep.find(section, "top")
	for _, r := range rep.runs {
		if r.section != section {
			continue
		}
		if r.seconds == 0 {
			fmt.Fprintf(b, "| %s | — | — | — | — | — | — | %s |\n", cell(r.tool), cell(r.err))
			continue
		}
		cpu, ratio := "—", "—"
		if okPlain && plain.ok() && plain.use.cpu > 0 {
			cpu = fmt.Sprintf("%.2f×", r.use.cpu/plain.use.cpu)
		}
		if okTop && top.ok() && r.key != "top" && r.records > 0 {
			ratio = fmt.Sprintf("%.2f×", top.rate()/r.rate())
		}
		fmt.Fprintf(b, "| %s | %.2f | %s | %.0f | %.2f | %s | %s | %s |\n", cell(r.tool), r.seconds, spread(r.all),
			mb(r.use.peak), r.use.cpu, cpu, ratio, cell(r.err))
	}
	b.WriteString("\n")
}

// talkersTargets are issue 13's measured goals (points 8 and 9).
func (rep *report) talkersTargets() []target {
	if !rep.has("talkers-flood") {
		return nil
	}
	const sec = "talkers-flood"
	top, okTop := rep.find(sec, "top")
	plain, okPlain := rep.find(sec, "plain")
	var ts []target
	rss := target{goal: fmt.Sprintf("talkers: --top %d --window %s peak RSS ≤ 100 MB (every record a distinct pair)", topN, topWindow)}
	cpu := target{goal: "talkers: --top CPU ≤ 2× the plain stream's on the same topic"}
	if okTop && top.ok() {
		rss.measured, rss.met = fmt.Sprintf("%.0f MB", mb(top.use.peak)), ptr(top.use.peak <= 100e6)
		if okPlain && plain.ok() && plain.use.cpu > 0 {
			r := top.use.cpu / plain.use.cpu
			cpu.measured, cpu.met = fmt.Sprintf("%.2f× (%.2f s vs %.2f s)", r, top.use.cpu, plain.use.cpu), ptr(r <= 2)
		}
	}
	ts = append(ts, rss, cpu)
	for _, p := range []struct {
		key, goal string
		want      float64
	}{
		{"spark", "talkers: --top ≥ 10× faster than Spark Structured Streaming", 10},
		{"pipeline", "talkers: --top ≥ 3× faster than kcat|awk|sort|uniq -c|sort -rn|head", 3},
	} {
		t := target{goal: p.goal, measured: "a run failed or was skipped"}
		if r, ok := rep.find(sec, p.key); ok && okTop && top.ok() && r.seconds > 0 && r.records > 0 {
			x := top.rate() / r.rate()
			t.measured, t.met = fmt.Sprintf("%.2f× (%.2f s vs %.2f s)", x, top.seconds, r.seconds), ptr(x >= p.want)
			if r.err != "" {
				t.measured += " (peer: " + r.err + ")"
			}
		}
		ts = append(ts, t)
	}
	ex := target{goal: fmt.Sprintf("talkers: with ≤ %s distinct pairs --top is exact (driver's count)", commas(exactPairs))}
	all, n := true, 0
	for _, c := range rep.checks {
		if strings.HasPrefix(c.tool, "bridge") {
			all, n = all && c.ok, n+1
		}
	}
	if n > 0 {
		ex.measured, ex.met = fmt.Sprintf("%d of %d --top runs equal", map[bool]int{true: n}[all], n), ptr(all)
		if !all {
			ex.measured = "a --top answer differs (see the exactness table)"
		}
	}
	return append(ts, ex)
}

// groupTable renders issue 14's cost of the group-wide answer.
func (rep *report) groupTable(b *strings.Builder) {
	if len(rep.groups) == 0 && rep.groupSkipped == "" {
		return
	}
	fmt.Fprintf(b, "### Group-wide answer (issue 14): members of one group on a %d-partition copy of the flood\n\n", groupPartitions)
	if rep.groupSkipped != "" {
		fmt.Fprintf(b, "%s\n\n", rep.groupSkipped)
		return
	}
	fmt.Fprintf(b, "Time: first launch until every member's sink shows the window holding all N records. Bytes: the "+
		"group's internal topics (panes and answers) on disk after the run (DescribeLogDirs), and the members' "+
		"bridge_stream_summary_bytes_total, per input record. Delay: bridge_stream_window_answer_delay_seconds over "+
		"the members, while the driver produces new flood records at %s records/s for %s (p50 and p99 are bucket "+
		"bounds).\n\n", commas(groupRate), rep.cfg.latFor)
	b.WriteString("| members | time s | CPU s | CPU ÷ 1 member | peak RSS MB (sum) | internal topics B/record | summary B/record | " +
		"live rate rec/s | windows answered | delay mean s | p50 ≤ s | p99 ≤ s | note |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	var one *groupRow
	for i := range rep.groups {
		if rep.groups[i].members == 1 && rep.groups[i].err == "" {
			one = &rep.groups[i]
		}
	}
	for _, g := range rep.groups {
		if g.members == 0 {
			fmt.Fprintf(b, "| — | — | — | — | — | — | — | — | — | — | — | — | %s |\n", cell(g.err))
			continue
		}
		ratio := "—"
		if one != nil && one.cpu > 0 {
			ratio = fmt.Sprintf("%.2f×", g.cpu/one.cpu)
		}
		n := float64(rep.cfg.lines)
		fmt.Fprintf(b, "| %d | %.2f | %.2f | %s | %.0f | %.1f | %.1f | %s | %d | %.2f | %s | %s | %s |\n", g.members, g.seconds, g.cpu,
			ratio, mb(g.peak), float64(g.internalBytes)/n, float64(g.summaryBytes)/n, commas(int64(g.liveRate)),
			g.delay.count, g.delay.mean(), bound(g.delay.p50, g.delay.haveQuantile), bound(g.delay.p99, g.delay.haveQuantile), cell(g.err))
	}
	b.WriteString("\n")
}

func bound(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
