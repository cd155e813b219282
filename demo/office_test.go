package demo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge"
	"github.com/bridge-project/bridge/parser"
)

// The bundled capture must make a first minute worth seeing (issue 16): many pairs at
// once, and a network where "who sends most bytes" and "who sends most packets" are
// different answers.

type pair struct{ src, dst string }

type talk struct{ packets, bytes int }

// bundledTalk returns, per (source, destination) as the demo prints them, what the
// bundled log carries up to second until (all of it when until is negative).
func bundledTalk(t *testing.T, until float64) map[pair]talk {
	t.Helper()
	r := NewReplayer(bridge.DemoLog)
	out := map[pair]talk{}
	for i, line := range r.lines {
		if until >= 0 && r.times[i] > until {
			break
		}
		p, err := parser.TsharkString(string(line))
		require.NoError(t, err, "line %d: %q", i+1, line)
		k := pair{p.Source, p.Destination}
		out[k] = talk{out[k].packets + 1, out[k].bytes + p.Length}
	}
	return out
}

func top(m map[pair]talk, by func(talk) int) pair {
	var best pair
	for k, v := range m {
		if b := m[best]; by(v) > by(b) || by(v) == by(b) && (k.src+k.dst < best.src+best.dst) {
			best = k
		}
	}
	return best
}

func TestBundledNetworkShowsManyPairsInTheFirstTenSeconds(t *testing.T) {
	pairs := bundledTalk(t, 10)
	assert.GreaterOrEqual(t, len(pairs), 20, "distinct (src, dst) in the first 10 s: %v", pairs)
}

func TestBundledNetworkTopTalkersDifferByBytesAndPackets(t *testing.T) {
	all := bundledTalk(t, -1)
	byBytes := top(all, func(v talk) int { return v.bytes })
	byPackets := top(all, func(v talk) int { return v.packets })
	assert.NotEqual(t, byBytes, byPackets)
	assert.Less(t, all[byBytes].packets, all[byPackets].packets, "the bulk transfer has fewer packets")
	assert.Less(t, all[byPackets].bytes, all[byBytes].bytes, "the chatty flow has fewer bytes")
}

// TestBundledLogIsTsharkRenderingOfPcap renders the committed pcap again with the tshark
// that made the committed log, and checks the log, and the talkers the demo counts from it,
// against tshark's own fields.
func TestBundledLogIsTsharkRenderingOfPcap(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	dir := filepath.Join("..", "testdata", "demo")
	want, err := os.ReadFile(filepath.Join(dir, "office.tshark-version"))
	require.NoError(t, err)
	version, err := exec.Command(tshark, "--version").Output()
	require.NoError(t, err)
	if first, _, _ := strings.Cut(string(version), "\n"); first != strings.TrimSpace(string(want)) {
		t.Skipf("tshark is %q, the log was rendered by %q", first, want)
	}
	pcap := filepath.Join(dir, "office.pcap")
	out, err := exec.Command(tshark, "-r", pcap).Output()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(out, bridge.DemoLog), "testdata/demo/office.log is not `tshark -r office.pcap`: run make demo-capture")

	fields, err := exec.Command(tshark, "-r", pcap, "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src",
		"-e", "ipv6.dst", "-e", "frame.len").Output()
	require.NoError(t, err)
	ws := map[pair]talk{}
	for _, line := range strings.Split(strings.TrimSuffix(string(fields), "\n"), "\n") {
		f := strings.Split(line, "\t")
		require.Len(t, f, 5, line)
		k := pair{f[0] + f[2], f[1] + f[3]}
		if k.src == "" {
			continue // ARP: no IP address
		}
		var n int
		_, err := fmt.Sscan(f[4], &n)
		require.NoError(t, err, line)
		ws[k] = talk{ws[k].packets + 1, ws[k].bytes + n}
	}
	all := bundledTalk(t, -1)
	for k, v := range ws {
		assert.Equal(t, v, all[k], "%v: tshark's fields against the demo's parse", k)
	}
	assert.Equal(t, top(ws, func(v talk) int { return v.bytes }), top(all, func(v talk) int { return v.bytes }))
	assert.Equal(t, top(ws, func(v talk) int { return v.packets }), top(all, func(v talk) int { return v.packets }))
}
