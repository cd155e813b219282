// Package parser turns one line of tshark's default text output into the packet it
// describes: frame number, time, source, destination, protocol, length and info. It also
// reproduces the blog's original Python parse ("seed" mode) exactly, for users who want
// the old output bit for bit.
//
// ParseInto (zero-copy, no allocation), TsharkString (substrings, no allocation) and
// Tshark (owned strings, one allocation) share one scanner that handles every -t time
// format, -u hms, tshark 1.x's "->", empty and multi-word addresses and tshark's column
// padding; Seed is the Python str.split() parse.
package parser

import "errors"

// Sentinel errors.
var (
	// ErrNotPacket means the line is not a tshark packet summary line.
	ErrNotPacket = errors.New("not a tshark packet line")
)

// Packet is one tshark summary line, split into its default columns.
type Packet struct {
	Number      int64
	Time        string
	Source      string
	Destination string
	Protocol    string
	Length      int
	Info        string
}
