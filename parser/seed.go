package parser

import "unicode/utf8"

// SeedNone is what the blog's Python returns for both fields of a line it cannot split.
const SeedNone = "None"

// Seed reproduces the blog's Spark parse bit for bit:
//
//	fields = payload.split()
//	return (fields[2], fields[4])   # ("None", "None") on IndexError
//
// Python's str.split() with no argument splits on runs of the characters for which
// str.isspace() is true, which is not Go's unicode.IsSpace: it adds the ASCII separators
// U+001C..U+001F (see isPySpace). On a default tshark line fields 2 and 4 are Source and
// Destination, but only for the one-word time formats and one-word addresses; that is the
// blog's behaviour, and Seed keeps it.
//
// The payload normally comes from JSON and is valid UTF-8. An invalid byte is treated like
// the U+FFFD that a decoder would substitute for it: it is not whitespace, so it belongs to
// a field; the field is returned with the original bytes.
//
// Seed returns substrings of payload and does not allocate.
func Seed(payload string) (src, dst string) {
	i := 0
	for field := 0; ; field++ {
		i = skipPySpace(payload, i)
		if i == len(payload) {
			return SeedNone, SeedNone
		}
		start := i
		i = skipPyField(payload, i)
		switch field {
		case 2:
			src = payload[start:i]
		case 4:
			return src, payload[start:i]
		}
	}
}

// skipPySpace returns the offset of the first non-whitespace character at or after i.
func skipPySpace(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf { // ASCII fast path: no decoding
			if !asciiPySpace[c] {
				return i
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isPySpace(r) { // an invalid byte decodes as U+FFFD, which is not a space
			return i
		}
		i += w
	}
	return i
}

// skipPyField returns the offset of the first whitespace character at or after i.
func skipPyField(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiPySpace[c] {
				return i
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if isPySpace(r) {
			return i
		}
		i += w
	}
	return i
}

// asciiPySpace marks the ASCII characters Python's str.isspace() accepts: \t \n \v \f \r,
// the file/group/record/unit separators \x1c..\x1f, and space.
var asciiPySpace = [utf8.RuneSelf]bool{
	'\t': true, '\n': true, '\v': true, '\f': true, '\r': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true, ' ': true,
}

// isPySpace reports whether Python's str.isspace() is true for r: the characters whose
// bidirectional class is WS, B or S or whose category is Zs (CPython's
// _PyUnicode_IsWhitespace, unchanged since Unicode 6.3 removed U+180E). Unlike Go's
// unicode.IsSpace it includes U+001C..U+001F. U+200B, U+2060 and U+FEFF are not spaces in
// either language.
func isPySpace(r rune) bool {
	if uint32(r) < utf8.RuneSelf {
		return asciiPySpace[r]
	}
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
