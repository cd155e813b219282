package connectvalue

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeJava(t *testing.T) {
	const bad = BadRune
	tests := []struct {
		name string
		in   string
		r    rune
		size int
	}{
		{"ascii", "a", 'a', 1},
		{"nul", "\x00", 0, 1},
		{"2-byte", "é", 'é', 2},
		{"3-byte", "→", '→', 3},
		{"4-byte", "😀", '😀', 4},
		{"lone continuation", "\x80", bad, 1},
		{"C0", "\xc0\x80", bad, 1},
		{"truncated 2 at end", "\xc3", bad, 1},
		{"truncated 3 of 2", "\xe2\x82", bad, 2},
		{"truncated 3 before ascii", "\xe2\x82a", bad, 2},
		{"E0 overlong", "\xe0\x80\x80", bad, 1},
		{"surrogate", "\xed\xa0\x80", bad, 3},
		{"surrogate prefix", "\xed\xa0", bad, 2},
		{"truncated 4 of 3", "\xf0\x9f\x98", bad, 3},
		{"truncated 4 before ascii", "\xf0\x9f\x98a", bad, 3},
		{"F0 overlong", "\xf0\x8f\xbf\xbf", bad, 1},
		{"above max", "\xf4\x90\x80\x80", bad, 1},
		{"F5", "\xf5\x80\x80\x80", bad, 1},
		{"FF", "\xff", bad, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, size := DecodeJava([]byte(tt.in))
			assert.Equal(t, tt.r, r)
			assert.Equal(t, tt.size, size)
		})
	}
}

func TestAppendJavaUTF8(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"valid kept", "a → 😀", "a → 😀"},
		{"truncated 3-byte is one replacement", "a\xe2\x82b", "a\uFFFDb"},
		{"surrogate is one replacement", "\xed\xa0\x80", "\uFFFD"},
		{"cesu pair is two", "\xed\xa0\xbd\xed\xb8\x80", "\uFFFD\uFFFD"},
		{"overlong per byte", "\xc0\x80", "\uFFFD\uFFFD"},
		{"truncated emoji", "\xf0\x9f\x98", "\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, string(AppendJavaUTF8([]byte("x"), []byte(tt.in)))[1:])
		})
	}
}

func TestJavaChars(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
	}{
		{"empty", "", 0},
		{"ascii with terminators", "ab\r\n", 4},
		{"bmp", "é→", 2},
		{"supplementary is two units", "😀", 2},
		{"truncated emoji is one", "\xf0\x9f\x98", 1},
		{"surrogate bytes are one", "\xed\xa0\x80", 1},
		{"overlong is two", "\xc0\x80", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, JavaChars([]byte(tt.in)))
		})
	}
}
