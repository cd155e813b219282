package connector

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
)

// The *_java_test.go files compare bridge with the JDK and with Kafka Connect's own classes. They
// skip when java is not installed (or with -short); the Connect ones also when Kafka's jars are not
// at hand (scripts/kafka.sh fetch puts them in .cache/kafka/libs).

// compileJava compiles testdata/java/<name>.java against classpath and returns the classpath to
// run it with.
func compileJava(t *testing.T, classpath, name string) string {
	t.Helper()
	return harness.CompileJava(t, classpath, filepath.Join("testdata", "java", name+".java"))
}

// runJava runs class name on classpath and returns its stdout.
var runJava = harness.RunJava

// kafkaClasspath returns a classpath with Kafka Connect's api, json, file and clients jars and
// their dependencies, or skips the test.
var kafkaClasspath = harness.KafkaClasspath

// corpusLine is one entry of testdata/javadecode/corpus.txt.
type corpusLine struct {
	name string
	data []byte
}

func readDecodeCorpus(t *testing.T) []corpusLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "javadecode", "corpus.txt"))
	require.NoError(t, err)
	defer f.Close()
	var lines []corpusLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text, comment, _ := strings.Cut(sc.Text(), "#")
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		data, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(text), " ", ""))
		require.NoError(t, err, "corpus line %q", sc.Text())
		lines = append(lines, corpusLine{name: strings.TrimSpace(comment), data: data})
	}
	require.NoError(t, sc.Err())
	return lines
}

// nastyBytes returns n random byte strings built from the bytes where UTF-8 decoders differ, and
// fragments of valid and invalid sequences.
func nastyBytes(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 0x6272696467650a))
	alphabet := []byte{0x00, 0x0a, 0x0d, '"', '\\', 'a', 0x1f, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xf8, 0xfe, 0xff}
	fragments := [][]byte{{0xe2, 0x86, 0x92}, {0xf0, 0x9f, 0x98, 0x80}, {0xed, 0xa0, 0x80}, {0xef, 0xbf, 0xbd}, {0xc3, 0xa9}}
	out := make([][]byte, n)
	for i := range out {
		var b []byte
		for range rng.IntN(12) {
			if rng.IntN(4) == 0 {
				b = append(b, fragments[rng.IntN(len(fragments))]...)
			} else {
				b = append(b, alphabet[rng.IntN(len(alphabet))])
			}
		}
		out[i] = b
	}
	return out
}

// goDecoded is what bridge's decoder makes of b, in JavaDecode.java's output format.
func goDecoded(b []byte) string {
	var units strings.Builder
	for p := b; len(p) > 0; {
		r, size := decodeJava(p)
		if r == badRune {
			r = 0xFFFD
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&units, "%04x", u)
		}
		p = p[size:]
	}
	utf8Hex := hex.EncodeToString(AppendJavaUTF8(nil, b))
	return orDash(units.String()) + " " + orDash(utf8Hex)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func TestDecodeMatchesJava(t *testing.T) {
	cp := compileJava(t, "", "JavaDecode")
	var inputs [][]byte
	names := map[int]string{}
	for i, c := range readDecodeCorpus(t) {
		names[i] = c.name
		inputs = append(inputs, c.data)
	}
	inputs = append(inputs, nastyBytes(1, 20000)...)

	var stdin bytes.Buffer
	for _, in := range inputs {
		stdin.WriteString(hex.EncodeToString(in) + "\n")
	}
	got := strings.Split(strings.TrimSuffix(string(runJava(t, cp, "JavaDecode", stdin.Bytes())), "\n"), "\n")
	require.Len(t, got, len(inputs))
	mismatches := 0
	for i, in := range inputs {
		want := got[i] // Java's answer
		if !assert.Equal(t, want, goDecoded(in), "input %x (%s)", in, names[i]) {
			if mismatches++; mismatches > 10 {
				t.Fatal("too many mismatches")
			}
		}
		units, _, _ := strings.Cut(want, " ")
		if units != "-" {
			assert.Equal(t, int64(len(units)/4), JavaChars(in), "JavaChars(%x)", in)
		}
	}
}
