package sink

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate the golden files by running python3")

// python runs testdata/sink/pyprint.py, or skips the test when python3 is missing.
func python(t *testing.T, args ...string) []byte {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: comparing with the stored goldens only")
	}
	cmd := exec.Command(py, append([]string{filepath.Join("..", "testdata", "sink", "pyprint.py")}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python3: %s", stderr.String())
	return out
}

// golden compares got with the golden file, which python3 generated; with -update it
// rewrites the file from python3's output first.
func golden(t *testing.T, path string, got []byte, pyArgs ...string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, python(t, pyArgs...), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "golden %s", path)
}

func readHexPairs(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var pairs [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		a, b, ok := strings.Cut(sc.Text(), " ")
		require.True(t, ok, "line %q", sc.Text())
		pairs = append(pairs, [2]string{unhex(t, a), unhex(t, b)})
	}
	require.NoError(t, sc.Err())
	return pairs
}

func unhex(t *testing.T, s string) string {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return string(b)
}

func TestAppendPairGolden(t *testing.T) {
	in := filepath.Join("..", "testdata", "sink", "repr", "input.txt")
	var got []byte
	for _, p := range readHexPairs(t, in) {
		got = append(AppendPair(got, p[0], p[1]), '\n')
	}
	golden(t, filepath.Join("..", "testdata", "sink", "repr", "want.txt"), got, "repr", in)
}

// TestAppendPairMatchesPython checks the goldens are still what python3 prints.
func TestAppendPairMatchesPython(t *testing.T) {
	in := filepath.Join("..", "testdata", "sink", "repr", "input.txt")
	want := python(t, "repr", in)
	var got []byte
	for _, p := range readHexPairs(t, in) {
		got = append(AppendPair(got, p[0], p[1]), '\n')
	}
	assert.Equal(t, string(want), string(got))
}

// TestAppendReprEveryCodePoint compares repr of every code point with python3's, when
// python3 uses the Unicode version the printable table was generated from.
func TestAppendReprEveryCodePoint(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	ver := python3UnicodeVersion(t)
	if ver != unicodeVersion {
		t.Skipf("python3 has Unicode %s, the table has %s (python %s): regenerate with go generate",
			ver, unicodeVersion, pythonVersion)
	}
	want := python(t, "allchars")
	var got []byte
	for r := rune(0); r <= 0x10ffff; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		got = append(AppendRepr(got, string(r)), '\n')
	}
	require.Equal(t, len(bytes.Split(want, []byte("\n"))), len(bytes.Split(got, []byte("\n"))))
	wantLines, gotLines := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	bad := 0
	for i := range wantLines {
		if !bytes.Equal(wantLines[i], gotLines[i]) && bad < 20 {
			bad++
			t.Errorf("line %d: python %s, go %s", i, wantLines[i], gotLines[i])
		}
	}
}

func python3UnicodeVersion(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	out, err := exec.Command(py, "-c", "import unicodedata; print(unicodedata.unidata_version)").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func TestAppendRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.1", `'10.0.0.1'`},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"a\\b", `'a\\b'`},
		{"\x00\t\n\r\x7f", `'\x00\t\n\r\x7f'`},
		{"\u00a0\u00e9", `'\xa0é'`},
		{"\u2028", `'\u2028'`},
		{"\U000e0001", `'\U000e0001'`},
		{"\xff", `'\udcff'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, string(AppendRepr(nil, tt.in)))
		})
	}
}

func TestAppendPyDatetime(t *testing.T) {
	tests := []struct {
		ms   int64
		want string
	}{
		{1764270242000, "2025-11-27 19:04:02"},
		{1764270242500, "2025-11-27 19:04:02.500000"},
		{1764270242001, "2025-11-27 19:04:02.001000"},
		{0, "1970-01-01 00:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := AppendPyDatetime(nil, time.UnixMilli(tt.ms).In(time.UTC))
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func BenchmarkAppendPair(b *testing.B) {
	buf := make([]byte, 0, 128)
	for b.Loop() {
		buf = AppendPair(buf[:0], "192.168.100.200", "fe80::1c2a:3bff:fe4d:5e6f")
	}
}
