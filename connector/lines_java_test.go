package connector

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/connectvalue/connectvaluetest"
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

// goDecoded is what bridge's decoder makes of b, in JavaDecode.java's output format.
func goDecoded(b []byte) string {
	var units strings.Builder
	for p := b; len(p) > 0; {
		r, size := connectvalue.DecodeJava(p)
		if r == connectvalue.BadRune {
			r = 0xFFFD
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&units, "%04x", u)
		}
		p = p[size:]
	}
	utf8Hex := hex.EncodeToString(connectvalue.AppendJavaUTF8(nil, b))
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
	inputs = append(inputs, connectvaluetest.NastyBytes(1, 20000)...)

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
			assert.Equal(t, int64(len(units)/4), connectvalue.JavaChars(in), "connectvalue.JavaChars(%x)", in)
		}
	}
}
