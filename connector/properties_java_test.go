package connector

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dumpProperty writes s as PropsDump.java does.
func dumpProperty(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		if u > 0x20 && u < 0x7F && u != '\\' && u != '=' && u != '%' {
			b.WriteByte(byte(u))
		} else {
			fmt.Fprintf(&b, "%%%04x", u)
		}
	}
	return b.String()
}

// goPropsDump is bridge's reading of data, as sorted PropsDump lines.
func goPropsDump(data []byte) []string {
	props, err := ParseProperties(bytes.NewReader(data))
	if err != nil {
		return []string{"error"}
	}
	lines := []string{}
	for k, v := range props {
		lines = append(lines, dumpProperty(k)+"="+dumpProperty(v))
	}
	slices.Sort(lines)
	return lines
}

// randomProperties builds files from the chars Properties.load treats specially.
func randomProperties(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 0x70726f7073))
	pieces := []string{"\\", "\\", "=", ":", " ", "\t", "\f", "\r", "\n", "\r\n", "#", "!", "u", "\\u",
		"\\u00e9", "\\uD83D", "\\uDE00", "0", "A", "f", "k", "v", "\xe9", "\xc3\xa9", "\x00", "t", "n"}
	out := make([][]byte, n)
	for i := range out {
		var b []byte
		for range rng.IntN(24) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		out[i] = b
	}
	return out
}

// TestParsePropertiesMatchesJava loads the same files with java.util.Properties (through an
// InputStream, as Connect's Utils.loadProps does) and with ParseProperties.
func TestParsePropertiesMatchesJava(t *testing.T) {
	cp := compileJava(t, "", "PropsDump")
	nasty, err := os.ReadFile(filepath.Join("testdata", "properties", "nasty.properties"))
	require.NoError(t, err)
	inputs := append([][]byte{nasty}, randomProperties(1, 3000)...)
	for _, stock := range []string{"connect-standalone.properties", "connect-file-source.properties"} {
		if data, err := os.ReadFile(filepath.Join("..", "testdata", "connect", stock)); err == nil {
			inputs = append(inputs, data)
		}
	}

	dir := t.TempDir()
	args := make([]string, len(inputs))
	for i, in := range inputs {
		args[i] = filepath.Join(dir, fmt.Sprintf("%d.properties", i))
		require.NoError(t, os.WriteFile(args[i], in, 0o600))
	}
	sections := strings.Split(string(runJava(t, cp, "PropsDump", nil, args...)), "%%file\n")[1:]
	require.Len(t, sections, len(inputs))
	mismatches, conflated := 0, 0
	for i, section := range sections {
		want := strings.Split(strings.TrimSuffix(section, "\n"), "\n")
		if section == "" {
			want = []string{}
		}
		if hasDuplicateKeys(want) {
			conflated++ // Java kept two keys with different lone surrogates; a Go map cannot
			continue
		}
		slices.Sort(want)
		if !assert.Equal(t, want, goPropsDump(inputs[i]), "file %q", inputs[i]) {
			if mismatches++; mismatches > 10 {
				t.Fatal("too many mismatches")
			}
		}
	}
	t.Logf("%d files compared, %d skipped for lone surrogate keys", len(inputs)-conflated, conflated)
}

func hasDuplicateKeys(dump []string) bool {
	seen := map[string]bool{}
	for _, line := range dump {
		key, _, _ := strings.Cut(line, "=")
		if seen[key] {
			return true
		}
		seen[key] = true
	}
	return false
}
