package parser

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeed(t *testing.T) {
	for _, tc := range []struct {
		name, payload, src, dst string
	}{
		{"default layout", "    1 0.000906723    127.0.0.1 → 127.0.0.1    TCP 74 44626 → 18080 [SYN]", "127.0.0.1", "127.0.0.1"},
		// The blog's split is only right for one-word times and addresses; Seed keeps its bugs.
		{"two-word time shifts the fields", "    1 2026-11-27 19:04:02.1 192.0.2.1 → 192.0.2.2 UDP 60", "19:04:02.1", "→"},
		{"802.11 names with spaces", "    3 1.0 aa:bb (aa:bb) (TA) → cc:dd (cc:dd) (RA) 802.11 24 RTS", "aa:bb", "(TA)"},
		{"empty source", "    5 3.0              → Apple_12:34:56 (a4:5e:60:12:34:56) (RA) 802.11 18 Ack", "→", "(a4:5e:60:12:34:56)"},
		{"exactly five fields", "a b c d e", "c", "e"},
		{"four fields", "a b c d", SeedNone, SeedNone},
		{"empty", "", SeedNone, SeedNone},
		{"only whitespace", " \t\r\n\v\f\x1c\x1d\x1e\x1f\u00a0\u3000", SeedNone, SeedNone},
		{"file separator splits in Python, not in Go's unicode.IsSpace", "a\x1cb\x1dc\x1ed\x1fe", "c", "e"},
		{"NEL, NBSP and ideographic space split", "a\u0085b\u00a0c\u3000d\u2029e", "c", "e"},
		{"zero width space does not split", "a b c\u200bx d e\ufeffy", "c\u200bx", "e\ufeffy"},
		{"unicode fields", "  日本 🙂 héllo wörld ünï  ", "héllo", "ünï"},
		// Invalid bytes are field characters, like the U+FFFD a decoder puts in their place;
		// a lone 0x85 is not NEL.
		{"invalid UTF-8 stays in the field", "a b \xffx c \x85", "\xffx", "\x85"},
		{"truncated multi-byte sequence", "a b c\xe3\x80 d e", "c\xe3\x80", "e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := Seed(tc.payload)
			assert.Equal(t, tc.src, src)
			assert.Equal(t, tc.dst, dst)
			rs, rd := seedReference(tc.payload)
			assert.Equal(t, rs, src, "reference")
			assert.Equal(t, rd, dst, "reference")
		})
	}
}

// seedReference is the obvious, slow implementation Seed is checked against.
func seedReference(payload string) (string, string) {
	f := strings.FieldsFunc(payload, isPySpace)
	if len(f) < 5 {
		return SeedNone, SeedNone
	}
	return f[2], f[4]
}

// TestIsPySpaceMatchesPython compares isPySpace with str.isspace() over every code point.
func TestIsPySpaceMatchesPython(t *testing.T) {
	out := runPython(t, `import sys,json
json.dump([c for c in range(0x110000) if chr(c).isspace()], sys.stdout)`, nil)
	var want []rune
	require.NoError(t, json.Unmarshal(out, &want))
	require.NotEmpty(t, want)
	var got []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if isPySpace(r) {
			got = append(got, r)
		}
	}
	assert.Equal(t, want, got)
	// The point of not using Go's definition.
	assert.False(t, unicode.IsSpace(0x1c))
	assert.True(t, isPySpace(0x1c))
}

// TestSeedMatchesPython runs the blog's parse in Python over a corpus of tricky payloads and
// requires Seed to return the same pairs.
func TestSeedMatchesPython(t *testing.T) {
	corpus := seedCorpus(t)
	in, err := json.Marshal(corpus)
	require.NoError(t, err)
	out := runPython(t, `import sys,json
def parse(payload):
    try:
        fields = payload.split()
        return (fields[2], fields[4])
    except IndexError:
        return ("None", "None")
json.dump([parse(p) for p in json.load(sys.stdin)], sys.stdout)`, in)
	var want [][2]string
	require.NoError(t, json.Unmarshal(out, &want))
	require.Len(t, want, len(corpus))
	mismatches := 0
	for i, p := range corpus {
		src, dst := Seed(p)
		if !assert.Equal(t, want[i], [2]string{src, dst}, "payload %q", p) {
			if mismatches++; mismatches > 10 {
				t.Fatal("too many mismatches")
			}
		}
	}
	t.Logf("%d payloads agree with Python's str.split()", len(corpus))
}

// pySpaces are Python's whitespace characters; nearMisses look like spaces to someone but
// not to Python.
var (
	pySpaces = []rune{'\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0,
		0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
		0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000}
	nearMisses = []rune{0, 0x7f, 0xad, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0xfffd, 0x1b}
)

func seedCorpus(t *testing.T) []string {
	var corpus []string
	for _, sep := range append(append([]rune{}, pySpaces...), nearMisses...) {
		s := string(sep)
		corpus = append(corpus,
			"a"+s+"b"+s+"c"+s+"d"+s+"e"+s+"f",
			s+s+"x y z"+s+"w"+s+"v"+s,
			"f0 f1 x"+s+"y f3 f4")
	}
	for _, tc := range tsharkCases {
		corpus = append(corpus, tc.line)
	}
	// Every line tshark rendered for the parser's golden files.
	files, err := filepath.Glob(filepath.Join(goldenDir, "rendered", "*", "*.txt"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		corpus = append(corpus, splitLines(b)...)
	}
	// Random mixes of letters, non-ASCII, spaces and near misses (fixed seed: reproducible).
	alphabet := append(append([]rune{'a', 'Z', '0', '.', ':', '→', 'é', '日', '🙂', 0x301}, pySpaces...), nearMisses...)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		corpus = append(corpus, b.String())
	}
	for _, p := range corpus {
		require.True(t, utf8.ValidString(p), "JSON payloads are valid UTF-8: %q", p)
	}
	return corpus
}

// runPython runs script with python3, feeding it stdin, or skips the test without python3.
func runPython(t *testing.T, script string, stdin []byte) []byte {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH: cannot compare with Python's str.split()")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", script)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python3: %s", stderr.String())
	return out
}
