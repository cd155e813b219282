package connectvalue

import "unicode/utf8"

// Connect reads the file through a Java InputStreamReader (UTF-8, malformed input replaced), so a
// record carries Java chars, not bytes. This file reproduces that decoder (sun.nio.cs.UTF_8) byte
// for byte. It differs from Go's utf8.DecodeRune, which replaces one byte at a time: Java replaces a
// truncated sequence (E2 82, F0 9F 98) with one U+FFFD, and an encoded surrogate (ED A0 80) too.

// BadRune marks a malformed subpart: Java writes one U+FFFD for it.
const BadRune rune = -1

// replacementUTF8 is U+FFFD, what Java substitutes for each malformed subpart.
const replacementUTF8 = "\uFFFD"

func isCont(b byte) bool { return b&0xC0 == 0x80 }

// DecodeJava decodes the first char of p (non-empty) as Java's UTF-8 decoder does, with the end of
// p taken as the end of input. It returns the code point, or BadRune for a malformed subpart, and
// how many bytes it spans. A line end is ASCII, so decoding a line alone gives the same result as
// decoding it inside the file.
func DecodeJava(p []byte) (rune, int) {
	b1 := p[0]
	switch {
	case b1 < utf8.RuneSelf:
		return rune(b1), 1
	case b1 >= 0xC2 && b1 <= 0xDF:
		if len(p) < 2 || !isCont(p[1]) {
			return BadRune, 1
		}
		return rune(b1&0x1F)<<6 | rune(p[1]&0x3F), 2
	case b1 >= 0xE0 && b1 <= 0xEF:
		return decodeJava3(p)
	case b1 >= 0xF0 && b1 <= 0xF4:
		return decodeJava4(p)
	}
	return BadRune, 1 // 80..BF, C0, C1, F5..FF
}

func decodeJava3(p []byte) (rune, int) {
	if len(p) < 2 || !isCont(p[1]) || (p[0] == 0xE0 && p[1] < 0xA0) {
		return BadRune, 1
	}
	if len(p) < 3 || !isCont(p[2]) {
		return BadRune, 2
	}
	r := rune(p[0]&0x0F)<<12 | rune(p[1]&0x3F)<<6 | rune(p[2]&0x3F)
	if r >= 0xD800 && r <= 0xDFFF {
		return BadRune, 3 // Java checks surrogates after assembling the char: one U+FFFD for all three
	}
	return r, 3
}

func decodeJava4(p []byte) (rune, int) {
	b1 := p[0]
	if len(p) < 2 || !isCont(p[1]) || (b1 == 0xF0 && p[1] < 0x90) || (b1 == 0xF4 && p[1] > 0x8F) {
		return BadRune, 1
	}
	if len(p) < 3 || !isCont(p[2]) {
		return BadRune, 2
	}
	if len(p) < 4 || !isCont(p[3]) {
		return BadRune, 3
	}
	return rune(b1&0x07)<<18 | rune(p[1]&0x3F)<<12 | rune(p[2]&0x3F)<<6 | rune(p[3]&0x3F), 4
}

// RuneChars is how many Java chars (UTF-16 code units) r, as DecodeJava returned it, takes: a
// malformed subpart is one U+FFFD.
func RuneChars(r rune) int64 {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// AppendJavaUTF8 appends line to dst as Java would re-encode it after decoding it with Connect's
// reader: valid UTF-8 unchanged, each malformed subpart replaced by U+FFFD. This is the record value
// Connect's StringConverter writes.
func AppendJavaUTF8(dst, line []byte) []byte {
	if utf8.Valid(line) {
		// Go's and Java's notions of valid UTF-8 are the same; only the replacement rules differ.
		return append(dst, line...)
	}
	for len(line) > 0 {
		r, size := DecodeJava(line)
		if r == BadRune {
			dst = append(dst, replacementUTF8...)
		} else {
			dst = append(dst, line[:size]...)
		}
		line = line[size:]
	}
	return dst
}

// JavaChars returns how many Java chars (UTF-16 code units) Connect counts for p, the unit of a
// FileStreamSource offset position: 1 per BMP char, 2 per supplementary char, 1 per U+FFFD that
// replaced a malformed subpart.
func JavaChars(p []byte) int64 {
	var n int64
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := DecodeJava(p[i:])
		n += RuneChars(r)
		i += size
	}
	return n
}
