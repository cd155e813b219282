package connector

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Format is how a line becomes a record value, as Connect's value.converter would.
type Format int

const (
	FormatJSONSchema Format = iota // JsonConverter, schemas.enable=true (Connect's default)
	FormatJSON                     // JsonConverter, schemas.enable=false
	FormatString                   // StringConverter
)

// envelopePrefix is what JsonConverter writes before the payload of a Schema.STRING_SCHEMA value:
// asJsonSchema puts "type" then "optional" and nothing else for an unnamed schema, and Jackson
// writes no whitespace.
const envelopePrefix = `{"schema":{"type":"string","optional":false},"payload":`

var formatNames = [...]string{
	FormatJSONSchema: "json-schema",
	FormatJSON:       "json",
	FormatString:     "string",
}

// String returns the format's name as ParseFormat accepts it.
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// ParseFormat returns the Format named s: "json-schema", "json" or "string".
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if strings.EqualFold(s, name) {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("parse format %q: %w", s, ErrUnknownFormat)
}

// AppendValue appends the record value for line (without its terminator) to dst.
//
// The bytes are those Kafka Connect 4.x writes for the same line of a FileStreamSource file:
// malformed UTF-8 becomes U+FFFD as Java's reader decodes it, and the JSON formats escape as Jackson
// does. It allocates nothing when dst has room.
func (f Format) AppendValue(dst, line []byte) []byte {
	switch f {
	case FormatJSON:
		return appendJSONString(dst, line)
	case FormatString:
		return AppendJavaUTF8(dst, line)
	default:
		dst = append(dst, envelopePrefix...)
		dst = appendJSONString(dst, line)
		return append(dst, '}')
	}
}

// MaxValueLen is an upper bound of len(f.AppendValue(nil, line)) for a line of n bytes, to size
// buffers once: an escaped control byte takes 6 bytes.
func (f Format) MaxValueLen(n int) int {
	switch f {
	case FormatString:
		return 3 * n // a lone malformed byte becomes the 3 bytes of U+FFFD
	case FormatJSON:
		return 6*n + 2
	default:
		return len(envelopePrefix) + 6*n + 3
	}
}

// jsonRaw holds the ASCII bytes Jackson writes unescaped in a string: everything from 0x20 to 0x7F
// but '"' and '\\'. 0x7F, '/', '<', '>' and '&' stay raw under Jackson's default escapes.
var jsonRaw = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendJSONString appends line as a JSON string the way Jackson's UTF8JsonGenerator writes the
// Java string Connect decoded from it: BMP chars as raw UTF-8, supplementary chars as two \u
// escapes of their surrogates (Jackson's default), malformed input as U+FFFD.
func appendJSONString(dst, line []byte) []byte {
	dst = append(dst, '"')
	start := 0 // line[start:i] is pending, to be copied as is
	for i := 0; i < len(line); {
		if i+8 <= len(line) {
			m := jsonSpecial(binary.LittleEndian.Uint64(line[i:]))
			if m == 0 {
				i += 8 // eight plain ASCII bytes: the common case of a log line
				continue
			}
			i += bits.TrailingZeros64(m) >> 3 // to the first byte that needs a look
		}
		b := line[i]
		if b < utf8.RuneSelf {
			if jsonRaw[b] {
				i++
				continue
			}
			dst = append(dst, line[start:i]...)
			dst = appendEscapedASCII(dst, b)
			i++
			start = i
			continue
		}
		r, size := decodeJava(line[i:])
		if r != badRune && r < 0x10000 {
			i += size
			continue
		}
		dst = append(dst, line[start:i]...)
		if r == badRune {
			dst = append(dst, replacementUTF8...)
		} else {
			dst = appendSurrogatePair(dst, r)
		}
		i += size
		start = i
	}
	dst = append(dst, line[start:]...)
	return append(dst, '"')
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// jsonSpecial flags, in the top bit of its byte, each of the 8 bytes of x that is a control
// char, '"', '\\' or not ASCII. As with stringEnds, the lowest flag is exact: it marks the
// first byte that needs a look.
func jsonSpecial(x uint64) uint64 { return stringEnds(x) | x&msb }

func appendEscapedASCII(dst []byte, b byte) []byte {
	switch b {
	case '"', '\\':
		return append(dst, '\\', b)
	case '\b':
		return append(dst, '\\', 'b')
	case '\t':
		return append(dst, '\\', 't')
	case '\n':
		return append(dst, '\\', 'n')
	case '\f':
		return append(dst, '\\', 'f')
	case '\r':
		return append(dst, '\\', 'r')
	}
	return appendU4(dst, rune(b))
}

func appendSurrogatePair(dst []byte, r rune) []byte {
	r -= 0x10000
	dst = appendU4(dst, 0xD800+(r>>10))
	return appendU4(dst, 0xDC00+(r&0x3FF))
}

// appendU4 writes \uXXXX with upper-case hex digits, as Jackson does.
func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF])
}
