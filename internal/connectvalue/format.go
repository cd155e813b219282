package connectvalue

import (
	"fmt"
	"strings"
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
		return appendJacksonString(dst, line)
	case FormatString:
		return AppendJavaUTF8(dst, line)
	default:
		dst = append(dst, envelopePrefix...)
		dst = appendJacksonString(dst, line)
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

// PlainLen is the length of f's value for a line of n bytes that needs no escape or replacement:
// a value of another length holds something the line did not, as is.
func (f Format) PlainLen(n int) int {
	switch f {
	case FormatString:
		return n
	case FormatJSON:
		return n + 2
	default:
		return len(envelopePrefix) + n + 3
	}
}
