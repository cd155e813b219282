package connectvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceJSON is a char-at-a-time statement of the rules appendJacksonString implements with its
// fast paths: Java's decoding, then Jackson's default escaping.
func referenceJSON(line []byte) string {
	out := []byte{'"'}
	for len(line) > 0 {
		r, size := DecodeJava(line)
		line = line[size:]
		switch {
		case r == BadRune:
			out = utf8.AppendRune(out, utf8.RuneError)
		case r == '"' || r == '\\':
			out = append(out, '\\', byte(r))
		case r == '\b', r == '\t', r == '\n', r == '\f', r == '\r':
			out = append(out, '\\', map[rune]byte{'\b': 'b', '\t': 't', '\n': 'n', '\f': 'f', '\r': 'r'}[r])
		case r < 0x20:
			out = fmt.Appendf(out, `\u%04X`, r)
		case r >= 0x10000:
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04X\u%04X`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return string(append(out, '"'))
}

func addLineSeeds(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74 42890 → 18080 [SYN]"))
	f.Add([]byte("a\"b\\c\x00\x1f\x7f\t"))
	f.Add([]byte("😀\xed\xa0\x80\xe2\x82\xf0\x9f\x98"))
	f.Add([]byte("12345678\"2345678\\234567\x01"))
}

func FuzzAppendValue(f *testing.F) {
	addLineSeeds(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		normalized := string(AppendJavaUTF8(nil, line))
		require.True(t, utf8.ValidString(normalized))
		assert.Equal(t, normalized, string(FormatString.AppendValue(nil, line)))

		js := FormatJSON.AppendValue(nil, line)
		require.Equal(t, referenceJSON(line), string(js))
		var s string
		require.NoError(t, json.Unmarshal(js, &s), "%q", js)
		assert.Equal(t, normalized, s)

		env := FormatJSONSchema.AppendValue(nil, line)
		var e struct {
			Schema  struct{ Type string }
			Payload *string
		}
		require.NoError(t, json.Unmarshal(env, &e), "%q", env)
		require.NotNil(t, e.Payload)
		assert.Equal(t, "string", e.Schema.Type)
		assert.Equal(t, normalized, *e.Payload)

		for _, v := range [][]byte{js, env} {
			got, err := DecodeValue(v)
			require.NoError(t, err)
			assert.Equal(t, normalized, string(got))
		}
	})
}

func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte(envPrefix + `"a\u00e9\uD83D\uDE00"}`))
	f.Add([]byte(envPrefix + `null}`))
	f.Add([]byte(`{"payload":"x","schema":null}`))
	f.Add([]byte(`"\uD800\u0041"`))
	f.Add([]byte("plain text"))
	f.Add([]byte(`{"schema":`))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := DecodeValue(v)
		if fast, ok := decodeFast(v); ok {
			require.NoError(t, err)
			assert.Equal(t, string(fast), string(got))
			slow, err := decodeSlow(v)
			require.NoError(t, err)
			assert.Equal(t, string(slow), string(fast), "fast and slow paths disagree on %q", v)
		}
		if err == nil && json.Valid(v) && bytes.HasPrefix(bytes.TrimLeft(v, " \t\r\n"), []byte(`"`)) {
			var s string
			if json.Unmarshal(v, &s) == nil {
				assert.Equal(t, s, string(got), "a JSON string decodes to its value")
			}
		}
	})
}
