package connectvalue

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// jsonRaw holds the ASCII bytes Jackson writes unescaped in a string: everything from 0x20 to 0x7F
// but '"' and '\\'. 0x7F, '/', '<', '>' and '&' stay raw under Jackson's default escapes.
var jsonRaw = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendJacksonString appends line as a JSON string the way Jackson's UTF8JsonGenerator writes the
// Java string Connect decoded from it: BMP chars as raw UTF-8, supplementary chars as two \u
// escapes of their surrogates (Jackson's default), malformed input as U+FFFD.
//
// It is not sink.AppendJSONString, which follows encoding/json's rules for bridge's own output:
// that one escapes U+2028 and U+2029, replaces malformed UTF-8 one byte at a time and writes
// supplementary chars raw. This one leaves U+2028 and U+2029 raw, replaces each malformed subpart
// as Java's decoder does and escapes supplementary chars as surrogates: the bytes JsonConverter
// writes, which a record must match.
func appendJacksonString(dst, line []byte) []byte {
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
		r, size := DecodeJava(line[i:])
		if r != BadRune && r < 0x10000 {
			i += size
			continue
		}
		dst = append(dst, line[start:i]...)
		if r == BadRune {
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
