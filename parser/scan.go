package parser

import (
	"bytes"
	"strings"
)

// The scanner works on offsets so one implementation serves both []byte and string input
// without copying or converting either.

// text is what the scanner can read: a line as bytes or as a string.
type text interface{ ~string | ~[]byte }

// span is the half-open byte range [from, to) of a column in the line.
type span struct{ from, to int }

// columns are the positions of a summary line's columns.
type columns struct {
	number int64
	length int
	time   span
	src    span
	dst    span
	proto  span
	info   span
}

// maxDigits bounds the frame number and length so they cannot overflow int64 (tshark's
// are 32-bit anyway).
const maxDigits = 18

// dstPad is tshark's minimum Destination width: a shorter destination is padded with
// spaces to dstPad bytes and followed by the one-space column separator.
const dstPad = 12

// scanLine finds the columns of one tshark summary line.
func scanLine[T text](line T) (columns, error) {
	var c columns
	end := len(line)
	for end > 0 && (line[end-1] == '\n' || line[end-1] == '\r') {
		end--
	}
	// No.
	i := skipBlank(line, 0, end)
	j := digitsEnd(line, i, end)
	if j == i || j-i > maxDigits || j == end || !isBlank(line[j]) {
		return c, ErrNotPacket
	}
	c.number = atoi(line, i, j)
	// Time: absent when the frame has no time stamp, so an unrecognised word is Source.
	i = skipBlank(line, j, end)
	c.time = span{i, timeEnd(line, i, end)}
	// Source: everything up to the arrow, minus the padding.
	a, w := findArrow(line, c.time.to, end)
	// a > j, so line[a-1] exists.
	if a < 0 || !isBlank(line[a-1]) || a+w == end || !isBlank(line[a+w]) {
		return c, ErrNotPacket
	}
	c.src = trim(line, c.time.to, a)
	// Destination, then Protocol up to the first all-digit word, which is Length.
	c.dst = scanDestination(line, a+w, end)
	p := skipBlank(line, c.dst.to, end)
	lenFrom, lenTo := findLength(line, p, end)
	if lenFrom < 0 {
		return c, ErrNotPacket
	}
	c.proto = trim(line, p, lenFrom)
	c.length = int(atoi(line, lenFrom, lenTo))
	// Info: the rest after the single separator, verbatim.
	c.info = span{end, end}
	if lenTo < end {
		c.info.from = lenTo + 1
	}
	return c, nil
}

// scanDestination returns the Destination column; k is just past the arrow.
func scanDestination[T text](line T, k, end int) span {
	p := skipBlank(line, k, end)
	n := p - k
	// tshark prints a non-empty destination right after "→ ". One shorter than dstPad is
	// padded, which leaves blanks at its last padding byte and the separator and a
	// Protocol right after them: that pins its end even if it contains spaces.
	if n == 1 && p+dstPad+1 < end && isBlank(line[p+dstPad-1]) && isBlank(line[p+dstPad]) &&
		!isBlank(line[p+dstPad+1]) {
		return trim(line, p, p+dstPad)
	}
	// An empty destination is all padding: "→" then 1+12+1 blanks. With other spacing,
	// "word digits" right after the arrow is Protocol and Length (no protocol name is a
	// number).
	if n > dstPad+1 || isLengthAfter(line, wordEnd(line, p, end), end) {
		return span{p, p}
	}
	// A long (unpadded) destination: one word plus any "(…)" groups tshark appends, as in
	// "Apple_12:34:56 (a4:5e:60:12:34:56) (RA)". Protocols never start with "(".
	e := wordEnd(line, p, end)
	for {
		q := skipBlank(line, e, end)
		if q == end || line[q] != '(' {
			return span{p, e}
		}
		g := groupEnd(line, q, end)
		if g < 0 {
			return span{p, e}
		}
		e = g
	}
}

// findLength returns the first word at or after p made only of digits and ending at a
// blank or the end of the line. The first word is Protocol unless it is all digits: a
// link type tshark has no dissector for leaves Protocol blank and Length comes first (no
// protocol name is a number).
func findLength[T text](line T, p, end int) (from, to int) {
	e := wordEnd(line, p, end)
	if e == p {
		return -1, -1
	}
	if d := digitsEnd(line, p, e); d == e && e-p <= maxDigits {
		return p, e
	}
	for {
		q := skipBlank(line, e, end)
		if q == end {
			return -1, -1
		}
		e = wordEnd(line, q, end)
		if d := digitsEnd(line, q, e); d == e && e-q <= maxDigits {
			return q, e
		}
	}
}

// isLengthAfter reports whether the word after position e is a Length.
func isLengthAfter[T text](line T, e, end int) bool {
	q := skipBlank(line, e, end)
	if q == e || q == end {
		return false
	}
	w := wordEnd(line, q, end)
	return digitsEnd(line, q, w) == w && w-q <= maxDigits
}

// groupEnd returns the end of the parenthesised group starting at q (line[q] == '('),
// which may span several words, or -1 if it is not closed at the end of a word.
func groupEnd[T text](line T, q, end int) int {
	depth := 0
	for i := q; i < end; i++ {
		switch line[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				if i+1 == end || isBlank(line[i+1]) {
					return i + 1
				}
			}
		}
	}
	return -1
}

// findArrow returns the offset and width of the first "→" (tshark ≥ 1.99) at or after
// from, else of the first "->" (tshark 1.x), else -1.
func findArrow[T text](line T, from, end int) (int, int) {
	for i := from; i < end; i++ {
		i = indexByte(line, i, end, 0xe2)
		if i < 0 {
			break
		}
		if i+2 < end && line[i+1] == 0x86 && line[i+2] == 0x92 {
			return i, 3
		}
	}
	for i := from; i+1 < end; i++ {
		if line[i] == '-' && line[i+1] == '>' {
			return i, 2
		}
	}
	return -1, 0
}

// indexByte is bytes.IndexByte or strings.IndexByte (both vectorised) on line[from:end],
// returning an offset into line or -1.
func indexByte[T text](line T, from, end int, c byte) int {
	var i int
	switch s := any(line).(type) {
	case []byte:
		i = bytes.IndexByte(s[from:end], c)
	case string:
		i = strings.IndexByte(s[from:end], c)
	default: // named string or byte slice types
		for i = from; i < end; i++ {
			if line[i] == c {
				return i
			}
		}
		return -1
	}
	if i < 0 {
		return -1
	}
	return from + i
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipBlank[T text](line T, i, end int) int {
	for i < end && isBlank(line[i]) {
		i++
	}
	return i
}

func wordEnd[T text](line T, i, end int) int {
	for i < end && !isBlank(line[i]) {
		i++
	}
	return i
}

func digitsEnd[T text](line T, i, end int) int {
	for i < end && isDigit(line[i]) {
		i++
	}
	return i
}

// atoi converts line[i:j], at most maxDigits digits, to a number.
func atoi[T text](line T, i, j int) int64 {
	var n int64
	for ; i < j; i++ {
		n = n*10 + int64(line[i]-'0')
	}
	return n
}

func trim[T text](line T, from, to int) span {
	for from < to && isBlank(line[from]) {
		from++
	}
	for to > from && isBlank(line[to-1]) {
		to--
	}
	return span{from, to}
}
