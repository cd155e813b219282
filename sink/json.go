package sink

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The JSON objects are written by hand: encoding/json's reflection would cost more than
// the rest of the per-record path together.

// batchTimeLayout is RFC 3339 with the fraction only when it is not zero.
const batchTimeLayout = time.RFC3339Nano

// AppendTupleJSON appends t as one JSON object (no newline), with the batch time bt
// already formatted by AppendJSONTime.
func AppendTupleJSON(dst []byte, t *Tuple, bt []byte) []byte {
	dst = append(dst, `{"src":`...)
	dst = AppendJSONString(dst, t.Src)
	dst = append(dst, `,"dst":`...)
	dst = AppendJSONString(dst, t.Dst)
	dst = append(dst, `,"proto":`...)
	dst = AppendJSONString(dst, t.Proto)
	dst = append(dst, `,"len":`...)
	dst = strconv.AppendInt(dst, int64(t.Len), 10)
	dst = append(dst, `,"batch_time":`...)
	dst = append(dst, bt...)
	dst = append(dst, `,"topic":`...)
	dst = AppendJSONString(dst, t.Topic)
	dst = append(dst, `,"partition":`...)
	dst = strconv.AppendInt(dst, int64(t.Partition), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, t.Offset, 10)
	return append(dst, '}')
}

// AppendCountJSON appends one aggregated pair as a JSON object (no newline).
func AppendCountJSON(dst []byte, c *PairCount, bt []byte) []byte {
	dst = append(dst, `{"src":`...)
	dst = AppendJSONString(dst, c.Src)
	dst = append(dst, `,"dst":`...)
	dst = AppendJSONString(dst, c.Dst)
	dst = append(dst, `,"count":`...)
	dst = strconv.AppendInt(dst, c.Count, 10)
	dst = append(dst, `,"batch_time":`...)
	return append(append(dst, bt...), '}')
}

// AppendJSONTime appends t as a quoted RFC 3339 JSON string in t's location.
func AppendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, batchTimeLayout)
	return append(dst, '"')
}

// AppendJSONString appends s as a quoted JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; U+2028 and U+2029 are escaped so the line is also valid JavaScript.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= ' ' && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendJSONEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, 'u', r, 4)
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendJSONEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	default:
		return appendEscape(dst, 'u', rune(c), 4)
	}
}
