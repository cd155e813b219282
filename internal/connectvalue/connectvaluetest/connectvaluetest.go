// Package connectvaluetest holds inputs for tests of Connect's value codec, shared by the packages
// that pin it to Java and to Connect: byte strings made of the bytes where UTF-8 decoders differ.
package connectvaluetest

import (
	_ "embed"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// corpus holds byte strings that Java's UTF-8 decoder and Go's disagree on, one per line.
//
//go:embed corpus.txt
var corpus string

// CorpusLine is one entry of corpus.txt: the bytes and what they are.
type CorpusLine struct {
	Name string
	Data []byte
}

// Corpus returns the entries of corpus.txt, failing t on a malformed line.
func Corpus(t testing.TB) []CorpusLine {
	t.Helper()
	var lines []CorpusLine
	for line := range strings.Lines(corpus) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") {
			continue
		}
		text, comment, _ := strings.Cut(line, "#")
		data, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(text), " ", ""))
		if err != nil {
			t.Fatalf("corpus line %q: %v", line, err)
		}
		lines = append(lines, CorpusLine{Name: strings.TrimSpace(comment), Data: data})
	}
	return lines
}

// NastyBytes returns n random byte strings built from the bytes where UTF-8 decoders differ, and
// fragments of valid and invalid sequences.
func NastyBytes(seed uint64, n int) [][]byte {
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
