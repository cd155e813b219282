package connector

import "bytes"

// nextLine finds the first complete line in buf as Connect's FileStreamSourceTask does: a line ends
// at "\n", "\r\n" or a lone "\r"; a "\r" that is the last byte of buf is not yet a line end (the next
// byte decides). line excludes the terminator; n is the bytes consumed including it; n == 0 when buf
// holds no complete line.
//
// Connect splits decoded chars, bridge splits bytes. Both agree because '\r' and '\n' never occur
// inside a UTF-8 sequence and Java's decoder never folds an ASCII byte into a malformed one.
func nextLine(buf []byte) (line []byte, n int) {
	nl := bytes.IndexByte(buf, '\n')
	limit := buf
	if nl >= 0 {
		limit = buf[:nl]
	}
	// A '\r' before the first '\n' ends the line first, as extractLine's char-by-char scan does.
	if cr := bytes.IndexByte(limit, '\r'); cr >= 0 {
		switch {
		case cr+1 >= len(buf):
			return nil, 0 // the next byte decides between "\r" and "\r\n"
		case buf[cr+1] == '\n':
			return buf[:cr], cr + 2
		default:
			return buf[:cr], cr + 1
		}
	}
	if nl < 0 {
		return nil, 0
	}
	return buf[:nl], nl + 1
}
