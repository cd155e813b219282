package connectvalue

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Errors of the record value codec.
var (
	// ErrMalformedEnvelope: the value starts like a Connect schema envelope but is not valid JSON.
	ErrMalformedEnvelope = errors.New("malformed connect envelope")
	// ErrNullPayload: an envelope whose payload is null (a tombstone-like value with no line).
	ErrNullPayload = errors.New("envelope payload is null")
	// ErrPayloadNotString: an envelope whose payload is a number, object, array or boolean.
	ErrPayloadNotString = errors.New("envelope payload is not a string")
	// ErrUnknownFormat: ParseFormat was given a name it does not know.
	ErrUnknownFormat = errors.New("unknown value format")
)

// DecodeValue returns the payload line of a record value written by any of the formats above, or a
// plain text value as is; an error for malformed JSON envelopes (wrapped sentinel errors).
//
// A JSON object with exactly the fields "schema" and "payload" is an envelope; a JSON string is a
// schemaless value; anything else (plain text, other JSON) is a StringConverter value and comes back
// unchanged. The result may alias v. A StringConverter line that is itself a JSON string literal is
// indistinguishable from a schemaless value and is unquoted.
func DecodeValue(v []byte) ([]byte, error) {
	if out, ok := decodeFast(v); ok {
		return out, nil
	}
	return decodeSlow(v)
}

// decodeFast handles the two shapes bridge and Connect write, without reflection. ok is false when
// v has any other shape, or anything unusual inside the string; decodeSlow then decides.
func decodeFast(v []byte) ([]byte, bool) {
	var rest []byte
	switch {
	case bytes.HasPrefix(v, []byte(envelopePrefix+`"`)):
		rest = v[len(envelopePrefix):]
	case len(v) > 0 && v[0] == '"':
		rest = v
	default:
		return nil, false
	}
	out, end, ok := scanJSONString(rest)
	if !ok {
		return nil, false
	}
	tail := rest[end:]
	if len(rest) != len(v) { // envelope: only the closing brace may follow the payload
		ok = len(tail) == 1 && tail[0] == '}'
	} else {
		ok = len(tail) == 0
	}
	return out, ok
}

// scanJSONString decodes the JSON string starting at s[0] == '"' and returns it (aliasing s when it
// holds no escape) and the index after its closing quote. ok is false for an unterminated string, a
// raw control char or invalid UTF-8, which encoding/json treats in its own way.
func scanJSONString(s []byte) (out []byte, end int, ok bool) {
	for i := 1; i < len(s); i++ {
		for i+8 <= len(s) && stringEnds(binary.LittleEndian.Uint64(s[i:])) == 0 {
			i += 8
		}
		if i >= len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"':
			if !utf8.Valid(s[1:i]) {
				return nil, 0, false
			}
			return s[1:i], i + 1, true
		case c == '\\':
			return unescapeJSONString(s, i)
		case c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// stringEnds flags, in the top bit of its byte, each of the 8 bytes of x that is a control
// char, '"' or '\\' (the classic bit tricks; non-ASCII bytes are left to utf8.Valid). A borrow
// can flag a plain byte above a flagged one, never below it, so the lowest flag is exact.
func stringEnds(x uint64) uint64 {
	hasLess20 := (x - 0x20*lsb) & ^x
	q := x ^ '"'*lsb
	hasQuote := (q - lsb) & ^q
	bs := x ^ '\\'*lsb
	hasBackslash := (bs - lsb) & ^bs
	return (hasLess20 | hasQuote | hasBackslash) & msb
}

// unescapeJSONString continues scanJSONString from the first backslash at s[i], copying. It
// replaces a lone surrogate escape with U+FFFD, as encoding/json does.
func unescapeJSONString(s []byte, i int) (out []byte, end int, ok bool) {
	out = make([]byte, 0, len(s))
	out = append(out, s[1:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return nil, 0, false
			}
			return out, i + 1, true
		case c < 0x20:
			return nil, 0, false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, 0, false
		}
		var n int
		out, n = appendUnescaped(out, s[i:])
		if n == 0 {
			return nil, 0, false
		}
		i += n
	}
	return nil, 0, false
}

// appendUnescaped decodes the escape at the start of s (s[0] == '\\') and returns how many bytes it
// spans; 0 for an invalid escape.
func appendUnescaped(out, s []byte) ([]byte, int) {
	switch s[1] {
	case '"', '\\', '/':
		return append(out, s[1]), 2
	case 'b':
		return append(out, '\b'), 2
	case 'f':
		return append(out, '\f'), 2
	case 'n':
		return append(out, '\n'), 2
	case 'r':
		return append(out, '\r'), 2
	case 't':
		return append(out, '\t'), 2
	case 'u':
		r := Hex4(s[2:])
		if r < 0 {
			return out, 0
		}
		if !utf16.IsSurrogate(r) {
			return utf8.AppendRune(out, r), 6
		}
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if pair := utf16.DecodeRune(r, Hex4(s[8:])); pair != utf8.RuneError {
				return utf8.AppendRune(out, pair), 12
			}
		}
		return utf8.AppendRune(out, utf8.RuneError), 6
	}
	return out, 0
}

// Hex4 parses the four hex digits of a \uXXXX escape at the start of s, or returns -1: JSON and
// Java .properties files spell the escape alike.
func Hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// decodeSlow classifies v with encoding/json: any whitespace, field order, optional schema or
// escape that the fast path left alone.
func decodeSlow(v []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(v, " \t\r\n")
	if len(trimmed) == 0 {
		return v, nil
	}
	switch trimmed[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return v, nil // plain text that merely starts with a quote
		}
		return []byte(s), nil
	case '{':
		return decodeObject(v, trimmed)
	}
	return v, nil
}

func decodeObject(v, trimmed []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil {
		if looksLikeEnvelope(trimmed) {
			return nil, fmt.Errorf("decode value: %w: %w", ErrMalformedEnvelope, err)
		}
		return v, nil
	}
	payload, hasPayload := fields["payload"]
	_, hasSchema := fields["schema"]
	if len(fields) != 2 || !hasPayload || !hasSchema {
		return v, nil // some other JSON object: a StringConverter line
	}
	if string(payload) == "null" {
		return nil, fmt.Errorf("decode value: %w", ErrNullPayload)
	}
	var s string
	if err := json.Unmarshal(payload, &s); err != nil {
		return nil, fmt.Errorf("decode value: %w", ErrPayloadNotString)
	}
	return []byte(s), nil
}

// looksLikeEnvelope reports whether s (starting with '{') opens with a "schema" or "payload" key:
// broken JSON of that shape is a damaged envelope rather than a plain text line.
func looksLikeEnvelope(s []byte) bool {
	s = bytes.TrimLeft(s[1:], " \t\r\n")
	for _, key := range []string{`"schema"`, `"payload"`} {
		if rest, ok := bytes.CutPrefix(s, []byte(key)); ok {
			rest = bytes.TrimLeft(rest, " \t\r\n")
			return len(rest) == 0 || rest[0] == ':'
		}
	}
	return false
}
