package connectvalue

// Word-at-a-time scans of JSON string bytes, shared by the encoder (jsonSpecial) and the decoder
// (stringEnds): eight bytes are tested with a few integer operations instead of eight compares.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// jsonSpecial flags, in the top bit of its byte, each of the 8 bytes of x that is a control
// char, '"', '\\' or not ASCII. As with stringEnds, the lowest flag is exact: it marks the
// first byte that needs a look.
func jsonSpecial(x uint64) uint64 { return stringEnds(x) | x&msb }
