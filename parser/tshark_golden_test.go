package parser

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate the captures and tshark renderings under testdata/parser")

// goldenDir holds the synthetic captures, tshark's renderings of them and the Wireshark
// configuration (hosts, ethers) the renderings were made with.
const goldenDir = "../testdata/parser"

// captureCase is one capture file: synthetic (frames set) or recorded.
type captureCase struct {
	name   string
	link   uint32
	nano   bool
	frames func() []pcapRecord
	// recorded captures are real traffic kept as they were captured; count is their
	// number of frames.
	recorded bool
	count    int
}

var captureCases = []captureCase{
	{name: "ethernet", link: linkEthernet, nano: true, frames: ethernetCapture},
	{name: "wifi-radiotap", link: linkRadiotap, frames: func() []pcapRecord { return toMicro(radiotapCapture()) }},
	{name: "wifi-raw", link: linkIEEE80211, frames: func() []pcapRecord { return toMicro(wifiRawCapture()) }},
	// A link type without a dissector: blank Source, Destination, Protocol and Info.
	{name: "user0", link: linkUser0, nano: true, frames: user0Capture},
	// "tshark -i lo -w" while curl, nc and a refused IPv6 connection ran against 127.0.0.1
	// and ::1.
	{name: "loopback-real", recorded: true, count: 16},
}

func (c captureCase) frameCount() int {
	if c.recorded {
		return c.count
	}
	return len(c.frames())
}

// layoutCase is one way of running tshark: time format and name resolution.
type layoutCase struct {
	name string
	args []string
}

// layouts crosses every time format (and -u hms) with tshark's default name resolution
// (MAC names on) and with -n, and adds MAC-only and MAC+hosts-file resolution.
func layouts() []layoutCase {
	times := [][]string{
		nil, {"-t", "a"}, {"-t", "ad"}, {"-t", "adoy"}, {"-t", "d"}, {"-t", "dd"}, {"-t", "e"},
		{"-t", "r"}, {"-t", "u"}, {"-t", "ud"}, {"-t", "udoy"},
		{"-t", "r", "-u", "hms"}, {"-t", "d", "-u", "hms"}, {"-t", "dd", "-u", "hms"},
	}
	var out []layoutCase
	for _, names := range [][]string{nil, {"-n"}} {
		for _, t := range times {
			out = append(out, layoutCase{layoutName(t, names), concat(t, names)})
		}
	}
	hosts := []string{"-N", "mn", "-o", "nameres.use_external_name_resolver:FALSE"}
	for _, t := range [][]string{nil, {"-t", "ad"}, {"-t", "ud"}} {
		out = append(out, layoutCase{layoutName(t, []string{"-N", "m"}), concat(t, []string{"-N", "m"})})
		out = append(out, layoutCase{layoutName(t, []string{"-N", "mn"}), concat(t, hosts)})
	}
	return out
}

func concat(a, b []string) []string { return append(append([]string{}, a...), b...) }

// layoutName names a layout after its options: "t-ad_n", "t-r_u-hms", "default_N-mn".
func layoutName(t, names []string) string {
	var parts []string
	if len(t) == 0 {
		parts = append(parts, "default")
	}
	for i := 0; i < len(t); i += 2 {
		parts = append(parts, strings.TrimPrefix(t[i], "-")+"-"+t[i+1])
	}
	switch {
	case len(names) == 1:
		parts = append(parts, strings.TrimPrefix(names[0], "-"))
	case len(names) > 1:
		parts = append(parts, strings.TrimPrefix(names[0], "-")+"-"+names[1])
	}
	return strings.Join(parts, "_")
}

func capturePath(c captureCase) string {
	ext := ".pcap"
	if c.recorded {
		ext = ".pcapng"
	}
	return filepath.Join(goldenDir, "captures", c.name+ext)
}

func renderPath(c captureCase, l layoutCase, ext string) string {
	return filepath.Join(goldenDir, "rendered", c.name, l.name+ext)
}

// TestCapturesAreReproducible checks the stored captures are what the generator writes, so
// the renderings next to them describe these exact frames.
func TestCapturesAreReproducible(t *testing.T) {
	for _, c := range captureCases {
		if c.recorded {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			got := writePcap(c.link, c.nano, c.frames())
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(capturePath(c)), 0o755))
				require.NoError(t, os.WriteFile(capturePath(c), got, 0o644))
			}
			want, err := os.ReadFile(capturePath(c))
			require.NoError(t, err, "run go test ./parser -run TestCaptures -update")
			assert.Equal(t, want, got)
		})
	}
}

// TestTsharkGolden compares the parser with tshark's own column values on the stored
// renderings, so it needs no tshark. With -update (and tshark installed) it re-renders them.
func TestTsharkGolden(t *testing.T) {
	for _, c := range captureCases {
		for _, l := range layouts() {
			t.Run(c.name+"/"+l.name, func(t *testing.T) {
				if *update {
					text, fields := renderWithTshark(t, capturePath(c), l.args)
					require.NoError(t, os.MkdirAll(filepath.Dir(renderPath(c, l, "")), 0o755))
					require.NoError(t, os.WriteFile(renderPath(c, l, ".txt"), text, 0o644))
					require.NoError(t, os.WriteFile(renderPath(c, l, ".tsv"), fields, 0o644))
				}
				text, err := os.ReadFile(renderPath(c, l, ".txt"))
				require.NoError(t, err)
				fields, err := os.ReadFile(renderPath(c, l, ".tsv"))
				require.NoError(t, err)
				n, agreed := assertAgreement(t, text, fields)
				assert.Equal(t, c.frameCount(), n, "every frame is rendered and compared")
				assert.Equal(t, n, agreed)
			})
		}
	}
}

// TestTsharkLive renders the captures with the tshark on this machine and requires 100%
// agreement with its -T fields column values, layout by layout. The captures are
// concatenated into one file first (when mergecap is there) to halve tshark start-ups.
func TestTsharkLive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs tshark dozens of times")
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not on PATH; TestTsharkGolden covers the stored renderings")
	}
	files := make([]string, 0, len(captureCases))
	want := 0
	for _, c := range captureCases {
		files = append(files, capturePath(c))
		want += c.frameCount()
	}
	if mergecap, err := exec.LookPath("mergecap"); err == nil {
		merged := filepath.Join(t.TempDir(), "all.pcapng")
		out, err := exec.Command(mergecap, append([]string{"-a", "-w", merged}, files...)...).CombinedOutput()
		require.NoError(t, err, "mergecap: %s", out)
		files = []string{merged}
	}
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			lines, agreed := 0, 0
			for _, f := range files {
				text, fields := renderWithTshark(t, f, l.args)
				n, ok := assertAgreement(t, text, fields)
				lines, agreed = lines+n, agreed+ok
			}
			assert.Equal(t, want, lines, "every frame is rendered and compared")
			t.Logf("layout %-14s tshark %v: %d of %d lines agree", l.name, l.args, agreed, lines)
		})
	}
}

// tsharkFieldSets are the column fields, named by column title (tshark ≤ 4.0) or by column
// format (tshark ≥ 4.2).
var tsharkFieldSets = [][]string{
	{"_ws.col.No.", "_ws.col.Time", "_ws.col.Source", "_ws.col.Destination", "_ws.col.Protocol", "_ws.col.Length", "_ws.col.Info"},
	{"_ws.col.number", "_ws.col.cls_time", "_ws.col.def_src", "_ws.col.def_dst", "_ws.col.protocol", "_ws.col.packet_length", "_ws.col.info"},
}

// renderWithTshark returns tshark's default text output for the capture and the same
// columns as tab-separated -T fields output, both with the given options.
func renderWithTshark(t *testing.T, pcap string, args []string) (text, fields []byte) {
	t.Helper()
	base := concat([]string{"-r", pcap}, args)
	text, err := runTshark(base)
	require.NoError(t, err)
	for _, set := range tsharkFieldSets {
		fargs := concat(base, []string{"-T", "fields", "-E", "separator=/t"})
		for _, f := range set {
			fargs = append(fargs, "-e", f)
		}
		if fields, err = runTshark(fargs); err == nil && len(fields) > 0 && fields[0] != '\t' {
			return text, fields
		}
	}
	t.Fatalf("tshark -T fields gave no column values: %v", err)
	return nil, nil
}

func runTshark(args []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tshark", args...)
	conf, err := filepath.Abs(filepath.Join(goldenDir, "wireshark"))
	if err != nil {
		return nil, err
	}
	// A fixed configuration (hosts, ethers, no user preferences) and a time zone that is not
	// UTC, so -t a/ad/adoy differ from -t u/ud/udoy.
	cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+conf, "TZ=Asia/Kolkata", "LC_ALL=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tshark %v: %w: %s", args, err, stderr.Bytes())
	}
	return out, nil
}

// assertAgreement parses every line of text with all three entry points and compares the
// result with the matching line of fields. It returns the number of lines compared and the
// number on which all three entry points agreed with tshark.
func assertAgreement(t *testing.T, text, fields []byte) (lines, agreed int) {
	t.Helper()
	got := splitLines(text)
	want := splitLines(fields)
	require.Len(t, got, len(want), "text and fields line counts")
	for i, line := range got {
		exp := parseFieldsLine(t, want[i])
		p, err := Tshark([]byte(line))
		ok := assert.NoError(t, err, "line %q", line) && assert.Equal(t, exp, p, "Tshark(%q)", line)
		p, err = TsharkString(line)
		ok = assert.NoError(t, err) && assert.Equal(t, exp, p, "TsharkString(%q)", line) && ok
		var pb PacketBytes
		ok = assert.NoError(t, ParseInto([]byte(line), &pb)) &&
			assert.Equal(t, exp, pb.Packet(), "ParseInto(%q)", line) && ok
		if ok {
			agreed++
		}
	}
	return len(got), agreed
}

// parseFieldsLine reads one line of tshark -T fields output for the seven default columns.
func parseFieldsLine(t *testing.T, line string) Packet {
	cols := strings.Split(line, "\t")
	require.Len(t, cols, 7, "fields line %q", line)
	number, err := strconv.ParseInt(cols[0], 10, 64)
	require.NoError(t, err)
	length, err := strconv.Atoi(cols[5])
	require.NoError(t, err)
	return Packet{Number: number, Time: cols[1], Source: cols[2], Destination: cols[3],
		Protocol: cols[4], Length: length, Info: cols[6]}
}

func splitLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
