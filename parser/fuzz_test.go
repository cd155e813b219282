package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are the hand-written cases plus one rendering of each capture.
func fuzzSeeds(f *testing.F) []string {
	var seeds []string
	for _, tc := range tsharkCases {
		seeds = append(seeds, tc.line)
	}
	for _, c := range captureCases {
		b, err := os.ReadFile(filepath.Join(goldenDir, "rendered", c.name, "t-ad_N-m.txt"))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, splitLines(b)...)
	}
	return append(seeds, "", "Capturing on 'lo'", "16 packets captured", "1 0.0 → ", "1 - → x y 1")
}

// FuzzTshark checks that no input panics, that the three entry points agree, and that
// Source and Destination are trimmed pieces of the line.
func FuzzTshark(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p, err := TsharkString(line)
		q, errB := Tshark([]byte(line))
		var pb PacketBytes
		errI := ParseInto([]byte(line), &pb)
		if err != errB || err != errI {
			t.Fatalf("errors differ: %v %v %v", err, errB, errI)
		}
		if err != nil {
			if err != ErrNotPacket {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if p != q || p != pb.Packet() {
			t.Fatalf("entry points differ: %+v %+v %+v", p, q, pb.Packet())
		}
		for _, s := range []string{p.Time, p.Source, p.Destination, p.Protocol, p.Info} {
			if !strings.Contains(line, s) {
				t.Fatalf("%q is not part of the line %q", s, line)
			}
		}
		for _, s := range []string{p.Time, p.Source, p.Destination, p.Protocol} {
			if strings.TrimSpace(s) != s && strings.Trim(s, " \t") != s {
				t.Fatalf("field %q is not trimmed", s)
			}
		}
		if p.Number < 0 || p.Length < 0 {
			t.Fatalf("impossible packet %+v from %q", p, line)
		}
		if !strings.Contains(line, "→") && !strings.Contains(line, "->") {
			t.Fatalf("no arrow in accepted line %q", line)
		}
	})
}

// FuzzSeed checks Seed against the obvious FieldsFunc implementation.
func FuzzSeed(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add("a\x1cb\x1dc\x1ed\x1fe")
	f.Add("a b \xffx c \x85")
	f.Add("a\u2028b\u3000c\u200bd e f")
	f.Fuzz(func(t *testing.T, payload string) {
		src, dst := Seed(payload)
		rs, rd := seedReference(payload)
		if src != rs || dst != rd {
			t.Fatalf("Seed(%q) = %q, %q; reference %q, %q", payload, src, dst, rs, rd)
		}
		if src == SeedNone && dst == SeedNone {
			return
		}
		for _, s := range []string{src, dst} {
			if s == "" || !strings.Contains(payload, s) {
				t.Fatalf("field %q is not a non-empty part of %q", s, payload)
			}
			if strings.IndexFunc(s, isPySpace) >= 0 {
				t.Fatalf("field %q contains whitespace", s)
			}
		}
	})
}
