package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

// TotalsConfig configures Totals, the offline `bridge parse --key`.
type TotalsConfig struct {
	ParseConfig
	Key    talkers.KeyKind
	By     talkers.Measure
	Prefix talkers.Prefix
	// Top is how many keys to print, ranked by By; 0 prints every key.
	Top int
}

// Validate reports every bad field at once.
func (c TotalsConfig) Validate() error {
	if err := c.ParseConfig.Validate(); err != nil {
		return err
	}
	if c.Top < 0 {
		return fmt.Errorf("top %d: must not be negative", c.Top)
	}
	return c.talkers().Validate()
}

func (c TotalsConfig) talkers() talkers.Config {
	return talkers.Config{Key: c.Key, By: c.By, Prefix: c.Prefix, Capacity: talkers.Unlimited, Top: c.Top}
}

// Totals counts packets and bytes per key over whole inputs, exactly (every key is
// kept), and prints them ranked: what tshark's own columns give, key for key.
type Totals struct {
	cfg TotalsConfig
	dec *decoder
	all *talkers.Totals
}

// NewTotals returns empty totals.
func NewTotals(cfg TotalsConfig) (*Totals, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	all, err := talkers.NewTotals(cfg.talkers())
	if err != nil {
		return nil, err
	}
	return &Totals{cfg: cfg, dec: newDecoder(cfg.Parser, MaxLineBytes), all: all}, nil
}

// Read counts every packet line of r; the stats count the lines that are none.
func (t *Totals) Read(r io.Reader) (ParseStats, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	var st ParseStats
	var tp sink.Tuple
	for sc.Scan() {
		st.Lines++
		line := bytes.TrimSuffix(sc.Bytes(), []byte{'\r'})
		switch reason, _ := decodeLine(t.dec, line, t.cfg.Envelope, &tp); reason {
		case kept:
			t.all.Add(tp.Src, tp.Dst, tp.Len, tp.Proto)
		case skipNotPacket:
			st.NotPacket++
		case skipEnvelope:
			st.Malformed++
		}
	}
	if err := sc.Err(); err != nil {
		return st, fmt.Errorf("read: %w", err)
	}
	return st, nil
}

// Write prints the totals: in tsv a header and one row per key (the key's columns,
// packets, bytes and the kind's per-direction figures); in pprint Spark's shapes with the
// By measure; in jsonl the stream's row objects. tsv and pprint end with a "#" line and
// jsonl with an object giving the total packets, bytes and keys.
func (t *Totals) Write(w io.Writer) error {
	r := t.all.Result()
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	switch t.cfg.Format {
	case OutputPprint:
		buf, _ = sink.AppendTalkerRowsPprint(buf, &r, len(r.Rows))
		buf = appendTotalsComment(buf, &r)
	case OutputJSONL:
		for i := range r.Rows {
			buf = append(sink.AppendTalkerRowJSON(buf, &r, &r.Rows[i], nil, nil), '\n')
		}
		buf = append(sink.AppendWindowTotalsJSON(buf, &r, nil, nil), '\n')
	default:
		buf = appendTotalsTSV(buf, &r)
		buf = appendTotalsComment(buf, &r)
	}
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// tsvColumns are the header of each kind's rows.
var tsvColumns = map[talkers.KeyKind]string{
	talkers.Pair:         "src\tdst\tpackets\tbytes\n",
	talkers.Conversation: "a\tb\tpackets\tbytes\tpackets_ab\tbytes_ab\tpackets_ba\tbytes_ba\n",
	talkers.Host:         "host\tpackets\tbytes\ttx_packets\ttx_bytes\trx_packets\trx_bytes\n",
}

func appendTotalsTSV(buf []byte, r *talkers.Result) []byte {
	buf = append(buf, tsvColumns[r.Key]...)
	for i := range r.Rows {
		row := &r.Rows[i]
		buf = append(buf, row.A...)
		if r.Key != talkers.Host {
			buf = append(append(buf, '\t'), row.B...)
		}
		figures := []int64{row.Packets, row.Bytes, row.PacketsAB, row.BytesAB, row.PacketsBA, row.BytesBA}
		if r.Key == talkers.Pair {
			figures = figures[:2]
		}
		for _, v := range figures {
			buf = strconv.AppendInt(append(buf, '\t'), v, 10)
		}
		buf = append(buf, '\n')
	}
	return buf
}

func appendTotalsComment(buf []byte, r *talkers.Result) []byte {
	buf = append(buf, "# total_packets="...)
	buf = strconv.AppendInt(buf, r.Packets, 10)
	buf = append(buf, " total_bytes="...)
	buf = strconv.AppendInt(buf, r.Bytes, 10)
	buf = append(buf, " keys="...)
	return append(strconv.AppendInt(buf, r.Keys, 10), '\n')
}
