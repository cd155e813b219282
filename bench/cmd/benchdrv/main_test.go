package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/parser"
)

const sampleLines = `    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74 42890 → 18080 [SYN] Seq=0
Capturing on 'lo'
 2491 15.860134387          ::1 → ::1          DNS 91 Standard query 0x0059 A example.com
`

func TestTemplatesRenderParsableLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	require.NoError(t, os.WriteFile(path, []byte(sampleLines), 0o644))
	tpl, err := readTemplates(path)
	require.NoError(t, err)
	require.Len(t, tpl, 2, "the non-packet line is dropped")
	assert.Equal(t, 1, countV6(tpl))

	tests := []struct {
		name          string
		tpl           template
		frame, nanos  int64
		want          string
		wantSrc, wDst string
	}{
		{"v4 relative time", tpl[0], 7, 1_500_000_000, "    7 1.500000000    127.0.0.1 → 127.0.0.1    TCP 74 42890 → 18080 [SYN] Seq=0", "127.0.0.1", "127.0.0.1"},
		{"v6 epoch time, wide frame", tpl[1], 1234567, 1764272000_000000042, "1234567 1764272000.000000042          ::1 → ::1          DNS 91 Standard query 0x0059 A example.com", "::1", "::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := appendLine(nil, tt.tpl, tt.frame, tt.nanos)
			assert.Equal(t, tt.want, string(line))
			p, err := parser.Tshark(line)
			require.NoError(t, err)
			assert.Equal(t, tt.wantSrc, p.Source)
			assert.Equal(t, tt.wDst, p.Destination)
			n, ok := frameNumber(line)
			require.True(t, ok)
			assert.Equal(t, int(tt.frame), n)
		})
	}
}

func TestRewritePropsKeepsStockLines(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "in.properties"), filepath.Join(dir, "out.properties")
	stock := "# comment\nbootstrap.servers=localhost:9092\nbootstrap.servers.extra=keep\nfile = test.txt\nname=local-file-source\n"
	require.NoError(t, os.WriteFile(src, []byte(stock), 0o644))
	require.NoError(t, rewriteProps(src, dst, [][2]string{{"bootstrap.servers", "127.0.0.1:9092"}, {"file", "/x"}}))
	out, err := os.ReadFile(dst)
	require.NoError(t, err)
	s := string(out)
	assert.NotContains(t, s, "localhost:9092")
	assert.NotContains(t, s, "test.txt")
	for _, keep := range []string{"# comment", "bootstrap.servers.extra=keep", "name=local-file-source", "bootstrap.servers=127.0.0.1:9092", "file=/x"} {
		assert.Contains(t, s, keep)
	}
}

func TestDistribution(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	r := distribution("tool", "stage", 10, 100, d)
	assert.Equal(t, 50*time.Millisecond, r.p50)
	assert.Equal(t, 99*time.Millisecond, r.p99)
	assert.Equal(t, 100*time.Millisecond, r.pmax)
	assert.Empty(t, r.err)

	short := distribution("tool", "stage", 10, 200, d)
	assert.Equal(t, "100 of 200 lines arrived", short.err)
	assert.Equal(t, "no line arrived", distribution("tool", "stage", 10, 5, nil).err)
}

func TestReadMicro(t *testing.T) {
	out := `goos: linux
BenchmarkParseInto 	10485	110.0 ns/op	1091.20 MB/s	9092879 lines/s	0 B/op	0 allocs/op
PASS
ok  	github.com/bridge-project/bridge/parser	3.2s
BenchmarkAppendValue/tshark/json-schema 	1000	89.30 ns/op	1545.80 MB/s	0 B/op	0 allocs/op
ok  	github.com/bridge-project/bridge/connector	9.1s
`
	path := filepath.Join(t.TempDir(), "micro.txt")
	require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	ms, err := readMicro(path)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, "github.com/bridge-project/bridge/parser", ms[0].pkg)
	assert.Equal(t, 9092879.0, ms[0].metrics["lines/s"])
	assert.Equal(t, "github.com/bridge-project/bridge/connector", ms[1].pkg)

	rep := &report{micro: ms}
	tgt := rep.parserTarget()
	require.NotNil(t, tgt.met)
	assert.True(t, *tgt.met)
}

func TestRepeatTakesTheMedian(t *testing.T) {
	b := &bench{cfg: config{repeat: 5}}
	times := []float64{3, 1, 5, 2, 4}
	i := 0
	r := b.repeat(func(time.Duration) result {
		s := times[i]
		i++
		return result{seconds: s, records: 10}
	})
	assert.Equal(t, 5, i)
	assert.Equal(t, 3.0, r.seconds)
	assert.Equal(t, []float64{1, 2, 3, 4, 5}, r.all)

	slow := 0
	r = b.repeat(func(time.Duration) result { slow++; return result{seconds: 60, records: 10} })
	assert.Equal(t, 1, slow, "a slow tool runs once")
	assert.Equal(t, 60.0, r.seconds)
}

func TestMarkdownCellsEscapePipes(t *testing.T) {
	assert.Equal(t, `kcat -C \| awk`, cell("kcat -C | awk"))
	assert.Equal(t, "1,000,000", commas(1_000_000))
	assert.Equal(t, "-1,234", commas(-1234))
	assert.True(t, strings.HasPrefix(trimTop("File: x\nType: cpu\n      flat  flat%\n"), "      flat"))
}
