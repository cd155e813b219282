package connector

import (
	"bytes"
	"log/slog"
	"unicode/utf8"
)

// oddLines counts lines that are produced faithfully but are probably not what the user
// meant to ship (NUL bytes, malformed UTF-8: a binary file, a wrong encoding), and logs
// the first of each kind once, with where it is.
type oddLines struct {
	loggedNUL, loggedUTF8 bool
}

// check is called only for lines whose value may not be the plain copy of the line, so the
// common tshark line costs nothing here.
func (o *oddLines) check(line []byte, end int64, stats *Stats, log *slog.Logger) {
	if bytes.IndexByte(line, 0) >= 0 {
		stats.NULLines.Add(1)
		if !o.loggedNUL {
			o.loggedNUL = true
			log.Warn("a line holds NUL bytes; produced as \\u0000 like Connect, further ones are only counted",
				"offset", end)
		}
	}
	if !utf8.Valid(line) {
		stats.InvalidUTF8.Add(1)
		if !o.loggedUTF8 {
			o.loggedUTF8 = true
			log.Warn("a line is not valid UTF-8; produced with U+FFFD like Connect, further ones are only counted",
				"offset", end)
		}
	}
}
