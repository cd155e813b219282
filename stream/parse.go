package stream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/bridge-project/bridge/parser"
	"github.com/bridge-project/bridge/sink"
)

// OutputFormat is how Parse, the offline `bridge parse`, prints each input line's pair.
type OutputFormat string

// The formats of Parse.
const (
	OutputTSV    OutputFormat = "tsv"    // src<TAB>dst
	OutputJSONL  OutputFormat = "jsonl"  // {"line":N,"src":…,"dst":…,"proto":…,"len":…}
	OutputPprint OutputFormat = "pprint" // ('src', 'dst'), as Python prints the tuple
)

// MaxLineBytes is the longest input line Parse accepts.
const MaxLineBytes = 64 << 20

// ParseConfig configures Parse.
type ParseConfig struct {
	Parser ParseMode
	// Envelope: every input line is a record value (a Connect envelope or a plain line).
	Envelope bool
	Format   OutputFormat
}

// Validate reports a bad field.
func (c ParseConfig) Validate() error {
	var errs []error
	if err := c.Parser.validate(); err != nil {
		errs = append(errs, err)
	}
	switch c.Format {
	case OutputTSV, OutputJSONL, OutputPprint:
	default:
		errs = append(errs, fmt.Errorf("format %q: want %s, %s or %s", c.Format, OutputTSV, OutputJSONL, OutputPprint))
	}
	return errors.Join(errs...)
}

// ParseStats counts Parse's input lines.
type ParseStats struct {
	Lines     int64
	NotPacket int64 // tshark mode: lines that are not packet summaries
	Malformed int64 // --envelope: values that are malformed envelopes
}

// Parse is the stream's per-record path run offline: it reads lines from r and writes
// one output line per input line to w. A line that yields no pair (not a packet in
// tshark mode, a malformed envelope) prints as None/None in tsv and pprint, the seed
// parser's fallback, and as {"line":N,"error":…} in jsonl, so output lines stay aligned
// with input lines; the stats count them.
func Parse(r io.Reader, w io.Writer, cfg ParseConfig) (ParseStats, error) {
	if err := cfg.Validate(); err != nil {
		return ParseStats{}, err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	bw := bufio.NewWriterSize(w, 64<<10)
	dec := newDecoder(cfg.Parser, MaxLineBytes)
	var st ParseStats
	var out []byte
	var t sink.Tuple
	for sc.Scan() {
		st.Lines++
		line := bytes.TrimSuffix(sc.Bytes(), []byte{'\r'})
		reason, err := decodeLine(dec, line, cfg.Envelope, &t)
		switch reason {
		case skipNotPacket:
			st.NotPacket++
		case skipEnvelope:
			st.Malformed++
		}
		if err == nil && reason != kept {
			err = errors.New(reason.String())
		}
		out = appendParsed(out[:0], cfg.Format, st.Lines, &t, err)
		if _, err := bw.Write(out); err != nil {
			return st, fmt.Errorf("write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return st, fmt.Errorf("read: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("write: %w", err)
	}
	return st, nil
}

// decodeLine decodes a raw line, or with envelope a record value, into t.
func decodeLine(d *decoder, line []byte, envelope bool, t *sink.Tuple) (skipReason, error) {
	if !envelope {
		// A raw line is parsed as is, even one that looks like JSON.
		return d.decodeLine(line, t)
	}
	return d.decode(line, t)
}

func appendParsed(dst []byte, f OutputFormat, n int64, t *sink.Tuple, err error) []byte {
	src, dst2 := t.Src, t.Dst
	if err != nil {
		src, dst2 = parser.SeedNone, parser.SeedNone
	}
	switch f {
	case OutputTSV:
		dst = append(append(append(dst, src...), '\t'), dst2...)
	case OutputPprint:
		dst = sink.AppendPair(dst, src, dst2)
	case OutputJSONL:
		dst = append(dst, `{"line":`...)
		dst = strconv.AppendInt(dst, n, 10)
		if err != nil {
			dst = append(dst, `,"error":`...)
			dst = append(sink.AppendJSONString(dst, err.Error()), '}')
			break
		}
		dst = append(dst, `,"src":`...)
		dst = sink.AppendJSONString(dst, src)
		dst = append(dst, `,"dst":`...)
		dst = sink.AppendJSONString(dst, dst2)
		dst = append(dst, `,"proto":`...)
		dst = sink.AppendJSONString(dst, t.Proto)
		dst = append(dst, `,"len":`...)
		dst = append(strconv.AppendInt(dst, int64(t.Len), 10), '}')
	}
	return append(dst, '\n')
}
