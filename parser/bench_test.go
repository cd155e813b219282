package parser

import (
	"os"
	"path/filepath"
	"testing"
)

// benchLines is a realistic mix: every line tshark rendered for the captures in the default
// layout, -t ad and -N m (IPv4/IPv6/ARP/802.11, one- and two-word times, vendor names).
func benchLines(b *testing.B) [][]byte {
	var lines [][]byte
	for _, c := range captureCases {
		for _, l := range []string{"default", "t-ad", "default_N-m"} {
			data, err := os.ReadFile(filepath.Join(goldenDir, "rendered", c.name, l+".txt"))
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range splitLines(data) {
				lines = append(lines, []byte(s))
			}
		}
	}
	return lines
}

func runLines(b *testing.B, lines [][]byte, parse func(line []byte)) {
	var size int
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		parse(lines[i%len(lines)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkParseInto(b *testing.B) {
	var p PacketBytes
	runLines(b, benchLines(b), func(line []byte) {
		if err := ParseInto(line, &p); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkTsharkString(b *testing.B) {
	lines := benchLines(b)
	strs := make([]string, len(lines))
	for i, l := range lines {
		strs[i] = string(l)
	}
	var n int
	runLines(b, lines, func(line []byte) {
		s := strs[n%len(strs)]
		n++
		if _, err := TsharkString(s); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkTshark(b *testing.B) {
	runLines(b, benchLines(b), func(line []byte) {
		if _, err := Tshark(line); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkSeed(b *testing.B) {
	lines := benchLines(b)
	strs := make([]string, len(lines))
	for i, l := range lines {
		strs[i] = string(l)
	}
	var n int
	runLines(b, lines, func([]byte) {
		Seed(strs[n%len(strs)])
		n++
	})
}
