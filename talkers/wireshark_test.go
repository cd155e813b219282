package talkers

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/parser"
)

// The figures are pinned to Wireshark's own statistics (testdata/talkers/README.md says
// how each file was made): tshark's conversation and endpoint tables against the totals
// of the packets parsed from tshark's rendering of the same capture.

// wiresharkConv is one row of tshark's conversation table. Wireshark's A is the first
// source it saw; ours is the smaller address (a key must not depend on arrival order to
// merge across instances), so rows are matched as unordered pairs.
type wiresharkConv struct {
	a, b         string
	abF, abB     int64 // "->": A to B
	baF, baB     int64 // "<-"
	frames, size int64
}

func TestAgreesWithWiresharkStatistics(t *testing.T) {
	cases := map[string]string{"reverse": filepath.Join("..", "testdata", "talkers", "reverse.txt")}
	// Every time layout, with and without MAC names; not the hosts file (-N mn), which
	// names IP addresses.
	for _, capture := range []string{"ethernet", "loopback-real"} {
		layouts, err := filepath.Glob(filepath.Join("..", "testdata", "parser", "rendered", capture, "*.txt"))
		require.NoError(t, err)
		require.NotEmpty(t, layouts)
		for _, l := range layouts {
			if !strings.Contains(l, "N-mn") {
				cases[capture+"/"+strings.TrimSuffix(filepath.Base(l), ".txt")] = l
			}
		}
	}
	for name, rendering := range cases {
		capture, _, _ := strings.Cut(name, "/")
		t.Run(name, func(t *testing.T) {
			stat, err := os.ReadFile(filepath.Join("..", "testdata", "talkers", capture+".stat.txt"))
			require.NoError(t, err)
			convs, hosts := parseStat(t, stat)
			require.NotEmpty(t, convs)
			rendered, err := os.ReadFile(rendering)
			require.NoError(t, err)
			conv := totalsOf(t, Conversation, rendered)
			host := totalsOf(t, Host, rendered)
			assertConversations(t, convs, ipRows(conv.Rows))
			assert.Equal(t, hosts, ipRows(host.Rows))
		})
	}
}

func assertConversations(t *testing.T, want []wiresharkConv, rows []Row) {
	t.Helper()
	require.Len(t, rows, len(want))
	for _, w := range want {
		k := Key{w.a, w.b}
		ab := Counts{w.frames, w.size, w.abF, w.abB, w.baF, w.baB}
		if lessAddr(w.b, w.a) {
			k = Key{w.b, w.a}
			ab = Counts{w.frames, w.size, w.baF, w.baB, w.abF, w.abB}
		}
		assert.Contains(t, rows, Row{Key: k, Counts: ab}, "conversation %v", k)
	}
}

// ipRows keeps the rows whose addresses are IP addresses (what conv,ip and endpoints,ip
// count) and drops the rest (MAC and vendor names of ARP, 802.3 frames).
func ipRows(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		if _, err := netip.ParseAddr(r.A); err != nil {
			continue
		}
		if _, err := netip.ParseAddr(r.B); r.B != "" && err != nil {
			continue
		}
		out = append(out, r)
	}
	return out
}

func totalsOf(t *testing.T, kind KeyKind, rendered []byte) Result {
	t.Helper()
	tot, err := NewTotals(Config{Key: kind, Capacity: Unlimited})
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(rendered))
	for sc.Scan() {
		p, err := parser.TsharkString(sc.Text())
		require.NoError(t, err)
		tot.Add(p.Source, p.Destination, p.Length, p.Protocol)
	}
	return tot.Result()
}

// parseStat reads tshark's conversation and endpoint tables; endpoint rows come back in
// bridge's output order (packets descending, then address).
func parseStat(t *testing.T, stat []byte) ([]wiresharkConv, []Row) {
	t.Helper()
	var convs []wiresharkConv
	host, err := NewSummary(Host, Packets, Unlimited)
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(stat))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 12 && f[1] == "<->":
			n := atoiAll(t, f[3], f[4], f[6], f[7], f[9], f[10])
			convs = append(convs, wiresharkConv{a: f[0], b: f[2], baF: n[0], baB: n[1], abF: n[2], abB: n[3], frames: n[4], size: n[5]})
		case len(f) == 7:
			if _, err := netip.ParseAddr(f[0]); err != nil {
				continue
			}
			n := atoiAll(t, f[1:]...)
			k := Key{A: f[0]}
			h := keyHash(k)
			host.index.insert(h, int32(len(host.ents)))
			host.ents = append(host.ents, entry{key: k, c: Counts{n[0], n[1], n[2], n[3], n[4], n[5]}, h: h})
		}
	}
	return convs, host.Top(nil, 0)
}

func atoiAll(t *testing.T, s ...string) []int64 {
	t.Helper()
	out := make([]int64, len(s))
	for i, v := range s {
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err, "tshark figure %q", v)
		out[i] = n
	}
	return out
}
