package connectvalue

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/connectvalue/connectvaluetest"
	"github.com/bridge-project/bridge/internal/harness"
)

// goDecoded is what bridge's decoder makes of b, in JavaDecode.java's output format.
func goDecoded(b []byte) string {
	var units strings.Builder
	for p := b; len(p) > 0; {
		r, size := DecodeJava(p)
		if r == BadRune {
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

// TestDecodeMatchesJava compares the decoder with the JDK's own (testdata/java/JavaDecode.java); it
// skips when java is not installed (or with -short).
func TestDecodeMatchesJava(t *testing.T) {
	cp := harness.CompileJava(t, "", filepath.Join("testdata", "java", "JavaDecode.java"))
	var inputs [][]byte
	names := map[int]string{}
	for i, c := range connectvaluetest.Corpus(t) {
		names[i] = c.Name
		inputs = append(inputs, c.Data)
	}
	inputs = append(inputs, connectvaluetest.NastyBytes(1, 20000)...)

	var stdin bytes.Buffer
	for _, in := range inputs {
		stdin.WriteString(hex.EncodeToString(in) + "\n")
	}
	got := strings.Split(strings.TrimSuffix(string(harness.RunJava(t, cp, "JavaDecode", stdin.Bytes())), "\n"), "\n")
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
