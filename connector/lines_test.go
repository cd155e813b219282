package connector

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

const benchTsharkLine = "  147 2.345678901    127.0.0.1 → 127.0.0.1    TCP 66 42890 → 18080 [ACK] Seq=1 Ack=1 Win=65536 Len=0 TSval=3388613203 TSecr=2164780159"

func TestNextLine(t *testing.T) {
	tests := []struct {
		name string
		buf  string
		line string
		n    int
	}{
		{"empty", "", "", 0},
		{"no terminator", "abc", "", 0},
		{"lf", "abc\ndef", "abc", 4},
		{"crlf", "abc\r\ndef", "abc", 5},
		{"lone cr", "abc\rdef", "abc", 4},
		{"cr last byte waits", "abc\r", "", 0},
		{"cr then lf at end", "abc\r\n", "abc", 5},
		{"empty line lf", "\nabc", "", 1},
		{"empty line cr", "\r\r", "", 1},
		{"empty line crlf", "\r\n\r\n", "", 2},
		{"lf cr is two ends", "\n\r", "", 1},
		{"cr before lf elsewhere", "a\rb\nc", "a", 2},
		{"lf before cr", "a\nb\rc", "a", 2},
		{"cr cr lf", "a\r\r\n", "a", 2},
		{"only cr", "\r", "", 0},
		{"multibyte", "a → b\nrest", "a → b", 8},
		{"nul kept", "a\x00b\n", "a\x00b", 4},
		{"invalid utf8 kept", "\xe2\x82\n", "\xe2\x82", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, n := nextLine([]byte(tt.buf))
			assert.Equal(t, tt.n, n)
			assert.Equal(t, tt.line, string(line))
			if n > 0 {
				assert.True(t, bytes.HasPrefix([]byte(tt.buf), line))
			}
		})
	}
}

// TestNextLineIncremental feeds a buffer that grows one byte at a time, as a tailed file
// does, and checks the lines come out the same as from the whole buffer.
func TestNextLineIncremental(t *testing.T) {
	data := []byte("a\r\nb\rc\n\r\n\rd\ne\r")
	var whole []string
	for buf := data; ; {
		line, n := nextLine(buf)
		if n == 0 {
			break
		}
		whole = append(whole, string(line))
		buf = buf[n:]
	}
	assert.Equal(t, []string{"a", "b", "c", "", "", "d"}, whole)

	var grown []string
	start := 0
	for end := 1; end <= len(data); end++ {
		for {
			line, n := nextLine(data[start:end])
			if n == 0 {
				break
			}
			grown = append(grown, string(line))
			start += n
		}
	}
	assert.Equal(t, whole, grown)
}

func BenchmarkNextLine(b *testing.B) {
	data := bytes.Repeat([]byte(benchTsharkLine+"\n"), 64)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for buf := data; ; {
			_, n := nextLine(buf)
			if n == 0 {
				break
			}
			buf = buf[n:]
		}
	}
}
