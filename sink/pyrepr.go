package sink

//go:generate sh -c "python3 internal/gen/printable.py > printable_table.go"

import (
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// cpRange is an inclusive range of Unicode code points.
type cpRange struct{ lo, hi rune }

const hexDigits = "0123456789abcdef"

// AppendRepr appends Python's repr() of s to dst: single quotes unless s holds a single
// quote and no double quote; backslash escapes for the quote, \\, \t, \n, \r; \xNN for
// other control characters and for non-printable code points up to 0xff; \uNNNN and
// \UNNNNNNNN above that. Printability follows str.isprintable of the Python that
// generated printable_table.go. Bytes that are not UTF-8 print as \udcNN, the lone
// surrogates Python's surrogateescape error handler would have made of them.
func AppendRepr(dst []byte, s string) []byte {
	quote := byte('\'')
	if containsByte(s, '\'') && !containsByte(s, '"') {
		quote = '"'
	}
	dst = append(dst, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = appendASCII(dst, c, quote)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = appendEscape(dst, 'u', 0xdc00|rune(c), 4)
		} else {
			dst = appendNonASCII(dst, r, s[i:i+size])
		}
		i += size
	}
	return append(dst, quote)
}

func appendASCII(dst []byte, c, quote byte) []byte {
	switch {
	case c == quote || c == '\\':
		return append(dst, '\\', c)
	case c == '\t':
		return append(dst, '\\', 't')
	case c == '\n':
		return append(dst, '\\', 'n')
	case c == '\r':
		return append(dst, '\\', 'r')
	case c < ' ' || c == 0x7f:
		return appendEscape(dst, 'x', rune(c), 2)
	default:
		return append(dst, c)
	}
}

func appendNonASCII(dst []byte, r rune, raw string) []byte {
	switch {
	case isPrintable(r):
		return append(dst, raw...)
	case r <= 0xff:
		return appendEscape(dst, 'x', r, 2)
	case r <= 0xffff:
		return appendEscape(dst, 'u', r, 4)
	default:
		return appendEscape(dst, 'U', r, 8)
	}
}

func appendEscape(dst []byte, kind byte, r rune, digits int) []byte {
	dst = append(dst, '\\', kind)
	for shift := (digits - 1) * 4; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(r>>uint(shift))&0xf])
	}
	return dst
}

// isPrintable reports whether Python's str.isprintable holds for a code point >= 0x80.
func isPrintable(r rune) bool {
	i := sort.Search(len(nonPrintable), func(i int) bool { return nonPrintable[i].hi >= r })
	return i == len(nonPrintable) || nonPrintable[i].lo > r
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// AppendPair appends Python's repr of the tuple (a, b) of two str: ('a', 'b').
func AppendPair(dst []byte, a, b string) []byte {
	dst = append(dst, '(')
	dst = AppendRepr(dst, a)
	dst = append(dst, ',', ' ')
	dst = AppendRepr(dst, b)
	return append(dst, ')')
}

// AppendPairCount appends Python's repr of ((a, b), n): (('a', 'b'), 3).
func AppendPairCount(dst []byte, a, b string, n int64) []byte {
	dst = append(dst, '(')
	dst = AppendPair(dst, a, b)
	dst = append(dst, ',', ' ')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, ')')
}

// AppendPyDatetime appends t as Python's str(datetime) prints it, in t's location:
// 2026-11-27 19:04:02, with .ffffff only when the microseconds are not zero.
func AppendPyDatetime(dst []byte, t time.Time) []byte {
	dst = t.AppendFormat(dst, "2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		for div := 100000; div > 0; div /= 10 {
			dst = append(dst, byte('0'+us/div%10))
		}
	}
	return dst
}
