package javaser

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const header = "\xac\xed\x00\x05"

func TestRead(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"null", header + "p", nil},
		{"string", header + "t\x00\x02hi", "hi"},
		{"byte array", header + "ur\x00\x02[B\xac\xf3\x17\xf8\x06\x08T\xe0\x02\x00\x00xp\x00\x00\x00\x03abc", []byte("abc")},
		{"reset then string", header + "yt\x00\x01a", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(bytes.NewReader([]byte(tt.in)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrEmpty},
		{"not java serialization", "{\"position\":1}", ErrUnsupported},
		{"bad type code", header + "\x42", ErrUnsupported},
		{"dangling reference", header + "q\x00\x7e\x00\x09", ErrUnsupported},
		{"block data at top", header + "w\x01x", ErrUnsupported},
		{"truncated header", "\xac\xed", io.ErrUnexpectedEOF},
		{"truncated string", header + "t\x00\x05ab", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader([]byte(tt.in)))
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestReadNestingBounded(t *testing.T) {
	// An array of Object whose only element is the same kind of array, deeper than any Connect
	// file: the reader stops rather than recursing without end.
	in := []byte(header)
	in = append(in, "ur\x00\x13[Ljava.lang.Object;\x90\xceX\x9f\x10s)l\x02\x00\x00xp\x00\x00\x00\x01"...)
	for range 2 * maxJavaDepth {
		in = append(in, "uq\x00\x7e\x00\x00\x00\x00\x00\x01"...)
	}
	_, err := Read(bytes.NewReader(in))
	assert.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorContains(t, err, "nested deeper than")
}
