package connectvalue

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/connectvalue/connectvaluetest"
)

const envPrefix = `{"schema":{"type":"string","optional":false},"payload":`

// The expected values were checked against Kafka Connect 4.4's JsonConverter (Jackson 2.21); the
// comparison itself runs in connector/values_java_test.go.
func TestAppendValue(t *testing.T) {
	tests := []struct {
		name string
		line string
		json string // the JSON string JsonConverter writes for the line
		str  string // what StringConverter writes
	}{
		{"empty", "", `""`, ""},
		{"ascii", "hello world", `"hello world"`, "hello world"},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`, `a"b\c`},
		{"slash not escaped", "a/b</script>&'", `"a/b</script>&'"`, "a/b</script>&'"},
		{"named escapes", "\b\t\n\f\r", `"\b\t\n\f\r"`, "\b\t\n\f\r"},
		{"other controls upper-case hex", "\x00\x01\x0b\x1f", `"\u0000\u0001\u000B\u001F"`, "\x00\x01\x0b\x1f"},
		{"del raw", "\x7f", "\"\x7f\"", "\x7f"},
		{"bmp raw", "é → ￿", `"é → ￿"`, "é → ￿"},
		{"line separators raw", "\u2028\u2029", "\"\u2028\u2029\"", "\u2028\u2029"},
		{"supplementary as surrogate escapes", "a😀b", `"a\uD83D\uDE00b"`, "a😀b"},
		{"max code point", "\U0010FFFF", `"\uDBFF\uDFFF"`, "\U0010FFFF"},
		{"truncated 3-byte", "a\xe2\x82b", "\"a\uFFFDb\"", "a\uFFFDb"},
		{"encoded surrogate", "\xed\xa0\x80", "\"\uFFFD\"", "\uFFFD"},
		{"overlong", "\xc0\xaf", "\"\uFFFD\uFFFD\"", "\uFFFD\uFFFD"},
		{"truncated emoji at end", "x\xf0\x9f\x98", "\"x\uFFFD\"", "x\uFFFD"},
		{"tshark line", "    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74",
			`"    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74"`, "    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line)
			assert.Equal(t, envPrefix+tt.json+"}", string(FormatJSONSchema.AppendValue(nil, line)))
			assert.Equal(t, tt.json, string(FormatJSON.AppendValue(nil, line)))
			assert.Equal(t, tt.str, string(FormatString.AppendValue(nil, line)))
			assert.Equal(t, "pre"+tt.json, string(FormatJSON.AppendValue([]byte("pre"), line)), "appends")
			for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
				assert.LessOrEqual(t, len(f.AppendValue(nil, line)), f.MaxValueLen(len(line)), f.String())
			}
		})
	}
}

func TestAppendValueAllocs(t *testing.T) {
	lines := [][]byte{
		[]byte("    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74 42890 → 18080 [SYN] Seq=0"),
		[]byte("plain ascii \"quoted\" \t tab"),
		[]byte("bad \xe2\x82 utf8 and 😀"),
	}
	dst := make([]byte, 0, 4096)
	for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
		allocs := testing.AllocsPerRun(100, func() {
			for _, line := range lines {
				dst = f.AppendValue(dst[:0], line)
			}
		})
		assert.Zero(t, allocs, f.String())
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
		t.Run(f.String(), func(t *testing.T) {
			got, err := ParseFormat(f.String())
			require.NoError(t, err)
			assert.Equal(t, f, got)
		})
	}
	_, err := ParseFormat("avro")
	assert.ErrorIs(t, err, ErrUnknownFormat)
	assert.Equal(t, "Format(7)", Format(7).String())
}

func TestDecodeValue(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    string
		wantErr error
	}{
		{"envelope", envPrefix + `"a b"}`, "a b", nil},
		{"envelope escapes", envPrefix + `"q\"\\\/\b\f\n\r\t\u00e9\u2192"}`, "q\"\\/\b\f\n\r\té→", nil},
		{"envelope surrogate pair", envPrefix + `"\uD83D\uDE00"}`, "😀", nil},
		{"envelope lone surrogate", envPrefix + `"\uD83Dx"}`, "\uFFFDx", nil},
		{"envelope reversed surrogates", envPrefix + `"\uDE00\uD83D"}`, "\uFFFD\uFFFD", nil},
		{"envelope raw utf8", envPrefix + `"é → 😀"}`, "é → 😀", nil},
		{"envelope empty payload", envPrefix + `""}`, "", nil},
		{"envelope fields reversed", `{"payload":"x","schema":{"type":"string","optional":false}}`, "x", nil},
		{"envelope with whitespace", "{ \"schema\" : {\"type\":\"string\"},\n \"payload\" : \"x\" }", "x", nil},
		{"envelope optional schema", `{"schema":{"type":"string","optional":true},"payload":"x"}`, "x", nil},
		{"envelope null schema", `{"schema":null,"payload":"x"}`, "x", nil},
		{"envelope null payload", envPrefix + `null}`, "", ErrNullPayload},
		{"envelope number payload", `{"schema":{"type":"int64","optional":false},"payload":5}`, "", ErrPayloadNotString},
		{"envelope object payload", envPrefix + `{}}`, "", ErrPayloadNotString},
		{"envelope truncated", envPrefix + `"abc`, "", ErrMalformedEnvelope},
		{"envelope trailing junk", envPrefix + `"abc"}x`, "", ErrMalformedEnvelope},
		{"envelope bad escape", envPrefix + `"\x"}`, "", ErrMalformedEnvelope},
		{"envelope raw control char", envPrefix + "\"a\tb\"}", "", ErrMalformedEnvelope},
		{"payload key first, broken", `{"payload": "x", `, "", ErrMalformedEnvelope},
		{"schemaless", `"a b"`, "a b", nil},
		{"schemaless escapes", `"\u0000\u001F\"\\"`, "\x00\x1f\"\\", nil},
		{"schemaless whitespace", " \"x\" \n", "x", nil},
		{"schemaless invalid utf8 replaced", "\"a\xffb\"", "a\uFFFDb", nil},
		{"plain text", "    1 0.0 127.0.0.1 → 127.0.0.1 TCP", "    1 0.0 127.0.0.1 → 127.0.0.1 TCP", nil},
		{"plain text empty", "", "", nil},
		{"plain text starting with quote", `"unterminated`, `"unterminated`, nil},
		{"plain text quote then more", `"a" "b"`, `"a" "b"`, nil},
		{"plain json object", `{"a":1}`, `{"a":1}`, nil},
		{"plain object with payload and more", `{"schema":1,"payload":"x","extra":2}`, `{"schema":1,"payload":"x","extra":2}`, nil},
		{"plain broken object", `{oops`, `{oops`, nil},
		{"plain number", `123`, `123`, nil},
		{"plain null", `null`, `null`, nil},
		{"plain invalid utf8", "a\xffb", "a\xffb", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeValue([]byte(tt.value))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// TestDecodeValueFastPathAgrees checks the hand-written scanner against encoding/json on the
// values it accepts.
func TestDecodeValueFastPathAgrees(t *testing.T) {
	for _, line := range connectvaluetest.NastyBytes(7, 5000) {
		for _, f := range []Format{FormatJSONSchema, FormatJSON} {
			v := f.AppendValue(nil, line)
			fast, ok := decodeFast(v)
			require.True(t, ok, "fast path must take what bridge writes: %q", v)
			slow, err := decodeSlow(v)
			require.NoError(t, err)
			assert.Equal(t, string(slow), string(fast), "value %q", v)
			assert.Equal(t, string(AppendJavaUTF8(nil, line)), string(fast), "round trip of %q", line)
		}
	}
}

func TestDecodeValueNoCopyWithoutEscapes(t *testing.T) {
	v := []byte(envPrefix + `"a → b"}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := DecodeValue(v); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// TestDecodeValueDemoLog round-trips every line of the demo capture through each format.
func TestDecodeValueDemoLog(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", "en0.log"))
	if os.IsNotExist(err) {
		t.Skip("testdata/demo/en0.log not present")
	}
	require.NoError(t, err)
	count := 0
	for line := range bytes.Lines(data) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		count++
		for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
			v := f.AppendValue(nil, line)
			if f != FormatString {
				require.True(t, json.Valid(v), "%s: %q", f, v)
			}
			got, err := DecodeValue(v)
			require.NoError(t, err)
			require.Equal(t, string(line), string(got), f.String())
		}
	}
	assert.Positive(t, count)
}

var benchLines = map[string][]byte{
	"tshark": []byte("  147 2.345678901    127.0.0.1 → 127.0.0.1    TCP 66 42890 → 18080 [ACK] Seq=1 Ack=1 Win=65536 Len=0 TSval=3388613203 TSecr=2164780159"),
	"ascii":  bytes.Repeat([]byte("abcdefgh"), 16),
	"escapy": bytes.Repeat([]byte("a\"b\\c\td"), 16),
}

func BenchmarkAppendValue(b *testing.B) {
	for name, line := range benchLines {
		for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
			b.Run(name+"/"+f.String(), func(b *testing.B) {
				dst := make([]byte, 0, f.MaxValueLen(len(line)))
				b.SetBytes(int64(len(line)))
				b.ReportAllocs()
				for b.Loop() {
					dst = f.AppendValue(dst[:0], line)
				}
			})
		}
	}
}

func BenchmarkDecodeValue(b *testing.B) {
	for name, line := range benchLines {
		for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
			v := f.AppendValue(nil, line)
			b.Run(name+"/"+f.String(), func(b *testing.B) {
				b.SetBytes(int64(len(v)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := DecodeValue(v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
