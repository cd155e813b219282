package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/connectvalue"
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
		mode           ParseMode
		value          []byte
		want           skipReason
		src, dst, prot string
		length         int
	}{
		{"tshark envelope", ParseTshark, envelope(pktLine), kept, "10.0.0.1", "10.0.0.2", "HTTP", 185},
		{"tshark schemaless", ParseTshark, []byte(`"` + pktLine + `"`), kept, "10.0.0.1", "10.0.0.2", "HTTP", 185},
		{"tshark plain text", ParseTshark, []byte(pktLine), kept, "10.0.0.1", "10.0.0.2", "HTTP", 185},
		{"tshark banner", ParseTshark, envelope("Capturing on 'en0'"), skipNotPacket, "", "", "", 0},
		{"tshark empty", ParseTshark, envelope(""), skipNotPacket, "", "", "", 0},
		{"malformed envelope", ParseTshark, []byte(envPrefix + `"abc`), skipEnvelope, "", "", "", 0},
		{"too large", ParseTshark, envelope(strings.Repeat("x", 200)), skipTooLarge, "", "", "", 0},
		{"seed envelope", ParseSeed, envelope(pktLine), kept, "10.0.0.1", "10.0.0.2", "", 0},
		{"seed banner is None", ParseSeed, envelope("Capturing on 'en0'"), kept, "None", "None", "", 0},
		{"seed malformed envelope", ParseSeed, []byte(envPrefix + `"abc`), skipEnvelope, "", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(tt.mode, 150)
			var tp sink.Tuple
			got, err := d.decode(tt.value, &tp)
			assert.Equal(t, tt.want, got, "reason (err %v)", err)
			if tt.want == skipEnvelope {
				assert.ErrorIs(t, err, connectvalue.ErrMalformedEnvelope)
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
	for _, mode := range []ParseMode{ParseTshark, ParseSeed} {
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
	for _, mode := range []ParseMode{ParseTshark, ParseSeed} {
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

func TestInterner(t *testing.T) {
	in := newInterner(4)
	a := in.bytes([]byte("10.0.0.1"))
	assert.Equal(t, "10.0.0.1", a)
	assert.Equal(t, unsafe.StringData(a), unsafe.StringData(in.bytes([]byte("10.0.0.1"))), "shared")
	for i := 0; i < 100; i++ { // evictions only cost allocations
		assert.Equal(t, fmt.Sprint(i), in.bytes([]byte(fmt.Sprint(i))))
		assert.Equal(t, fmt.Sprint(i), in.string(fmt.Sprint(i)))
	}
	buf := []byte("mutable")
	s := in.string(unsafe.String(&buf[0], len(buf)))
	buf[0] = 'X'
	assert.Equal(t, "mutable", s, "a string view is copied")
}

// FuzzDecode: any value yields a tuple equal to the parser's own result on the decoded
// payload, or a counted reason; it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{pktLine, "Capturing on 'en0'", "", envPrefix + `"abc`, `"x y z w v"`, "\xff\xfe"} {
		f.Add([]byte(s), false)
		f.Add(envelope(s), true)
	}
	f.Fuzz(func(t *testing.T, v []byte, seed bool) {
		mode := ParseTshark
		if seed {
			mode = ParseSeed
		}
		d := newDecoder(mode, 4096)
		var tp sink.Tuple
		reason, err := d.decode(v, &tp)
		if len(v) > 4096 {
			require.Equal(t, skipTooLarge, reason)
			return
		}
		payload, derr := connectvalue.DecodeValue(v)
		if derr != nil {
			require.Equal(t, skipEnvelope, reason)
			require.Error(t, err)
			return
		}
		if mode == ParseSeed {
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

// BenchmarkDecodeNewAddresses: every line names a new source, the interner's worst case.
func BenchmarkDecodeNewAddresses(b *testing.B) {
	d := newDecoder(ParseTshark, 1<<20)
	values := make([][]byte, 1<<16)
	for i := range values {
		values[i] = envelope(packetLine(i))
	}
	var tp sink.Tuple
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = d.decode(values[i&(len(values)-1)], &tp)
		i++
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, mode := range []ParseMode{ParseTshark, ParseSeed} {
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
