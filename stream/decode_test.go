package stream

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/parser"
	"github.com/bridge-project/bridge/sink"
)

const envPrefix = `{"schema":{"type":"string","optional":false},"payload":`

// envelope is the value Connect's JsonConverter writes for line.
func envelope(line string) []byte {
	b, _ := json.Marshal(line)
	return []byte(envPrefix + string(b) + "}")
}

const pktLine = "    7 0.000105797    10.0.0.1 → 10.0.0.2    HTTP 185 GET / HTTP/1.1"

func TestDecode(t *testing.T) {
	tests := []struct {
		name           string
		mode           Parser
		value          []byte
		want           skipReason
		src, dst, prot string
		length         int
	}{
		{"tshark envelope", ParserTshark, envelope(pktLine), kept, "10.0.0.1", "10.0.0.2", "HTTP", 185},
		{"tshark schemaless", ParserTshark, []byte(`"` + pktLine + `"`), kept, "10.0.0.1", "10.0.0.2", "HTTP", 185},
		{"tshark plain text", ParserTshark, []byte(pktLine), kept, "10.0.0.1", "10.0.0.2", "HTTP", 185},
		{"tshark banner", ParserTshark, envelope("Capturing on 'en0'"), skipNotPacket, "", "", "", 0},
		{"tshark empty", ParserTshark, envelope(""), skipNotPacket, "", "", "", 0},
		{"malformed envelope", ParserTshark, []byte(envPrefix + `"abc`), skipEnvelope, "", "", "", 0},
		{"too large", ParserTshark, envelope(strings.Repeat("x", 200)), skipTooLarge, "", "", "", 0},
		{"seed envelope", ParserSeed, envelope(pktLine), kept, "10.0.0.1", "10.0.0.2", "", 0},
		{"seed banner is None", ParserSeed, envelope("Capturing on 'en0'"), kept, "None", "None", "", 0},
		{"seed malformed envelope", ParserSeed, []byte(envPrefix + `"abc`), skipEnvelope, "", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(tt.mode, 150)
			var tp sink.Tuple
			got, err := d.decode(tt.value, &tp)
			assert.Equal(t, tt.want, got, "reason (err %v)", err)
			if tt.want == skipEnvelope {
				assert.ErrorIs(t, err, connector.ErrMalformedEnvelope)
			}
			if tt.want != kept {
				return
			}
			assert.Equal(t, sink.Tuple{Src: tt.src, Dst: tt.dst, Proto: tt.prot, Len: tt.length}, tp)
		})
	}
}

// TestDecodeOwnsItsStrings: tuples stay intact when the record buffer is reused.
func TestDecodeOwnsItsStrings(t *testing.T) {
	for _, mode := range []Parser{ParserTshark, ParserSeed} {
		t.Run(string(mode), func(t *testing.T) {
			d := newDecoder(mode, 1<<20)
			buf := []byte(pktLine)
			var tp sink.Tuple
			r, err := d.decode(buf, &tp)
			require.NoError(t, err)
			require.Equal(t, kept, r)
			for i := range buf {
				buf[i] = 'X'
			}
			assert.Equal(t, "10.0.0.1", tp.Src)
			assert.Equal(t, "10.0.0.2", tp.Dst)
		})
	}
}

func TestDecodeAllocs(t *testing.T) {
	for _, mode := range []Parser{ParserTshark, ParserSeed} {
		t.Run(string(mode), func(t *testing.T) {
			d := newDecoder(mode, 1<<20)
			v := envelope(pktLine)
			var tp sink.Tuple
			_, _ = d.decode(v, &tp) // intern the names
			allocs := testing.AllocsPerRun(100, func() { _, _ = d.decode(v, &tp) })
			assert.Zero(t, allocs, "a line with known addresses allocates nothing")
		})
	}
}

func TestInternerStartsOverWhenFull(t *testing.T) {
	in := newInterner(2)
	a := in.bytes([]byte("a"))
	in.bytes([]byte("b"))
	in.bytes([]byte("c")) // clears, then holds c
	assert.Equal(t, "a", a)
	assert.Len(t, in.m, 1)
}

// FuzzDecode: any value yields a tuple equal to the parser's own result on the decoded
// payload, or a counted reason; it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{pktLine, "Capturing on 'en0'", "", envPrefix + `"abc`, `"x y z w v"`, "\xff\xfe"} {
		f.Add([]byte(s), false)
		f.Add(envelope(s), true)
	}
	f.Fuzz(func(t *testing.T, v []byte, seed bool) {
		mode := ParserTshark
		if seed {
			mode = ParserSeed
		}
		d := newDecoder(mode, 4096)
		var tp sink.Tuple
		reason, err := d.decode(v, &tp)
		if len(v) > 4096 {
			require.Equal(t, skipTooLarge, reason)
			return
		}
		payload, derr := connector.DecodeValue(v)
		if derr != nil {
			require.Equal(t, skipEnvelope, reason)
			require.Error(t, err)
			return
		}
		if mode == ParserSeed {
			require.Equal(t, kept, reason)
			src, dst := parser.Seed(string(payload))
			require.Equal(t, src, tp.Src)
			require.Equal(t, dst, tp.Dst)
			return
		}
		p, perr := parser.Tshark(payload)
		if perr != nil {
			require.Equal(t, skipNotPacket, reason)
			require.True(t, err == nil || errors.Is(err, perr) || err.Error() == perr.Error())
			return
		}
		require.Equal(t, kept, reason)
		require.Equal(t, sink.Tuple{Src: p.Source, Dst: p.Destination, Proto: p.Protocol, Len: p.Length}, tp)
	})
}

func BenchmarkDecode(b *testing.B) {
	for _, mode := range []Parser{ParserTshark, ParserSeed} {
		b.Run(string(mode), func(b *testing.B) {
			d := newDecoder(mode, 1<<20)
			v := envelope(pktLine)
			var tp sink.Tuple
			b.SetBytes(int64(len(v)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = d.decode(v, &tp)
			}
		})
	}
}
