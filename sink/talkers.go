package sink

import (
	"context"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/talkers"
)

// The output of a talkers window (issue 13's contract). pprint keeps Spark's shapes:
// ((src, dst), n) for a pair, ((a, b), n) for a conversation, (host, n) for a host, n the
// ranking measure. Each JSON row object names its key and carries packets, bytes, the
// per-direction figures of its kind and the window's bounds; approximate rows add
// "approx" and "error". After the rows, one more object gives the window's totals, so a
// reader can show what the rows leave out as "Other".

// AppendTalkerRowsPprint appends up to n rows of r, one a line, and reports whether the
// window held more.
func AppendTalkerRowsPprint(buf []byte, r *talkers.Result, n int) ([]byte, bool) {
	for i := 0; i < n && i < len(r.Rows); i++ {
		row := &r.Rows[i]
		v := row.Packets
		if r.By == talkers.Bytes {
			v = row.Bytes
		}
		if r.Key == talkers.Host {
			buf = append(buf, '(')
			buf = AppendRepr(buf, row.A)
			buf = append(buf, ',', ' ')
			buf = strconv.AppendInt(buf, v, 10)
			buf = append(buf, ')', '\n')
			continue
		}
		buf = append(AppendPairCount(buf, row.A, row.B, v), '\n')
	}
	return buf, max(r.Keys, int64(len(r.Rows))) > int64(n)
}

// AppendTalkerRowJSON appends one row of r as a JSON object (no newline); bt is the
// window's end as AppendJSONTime formats it, ws its start; both nil for totals over a
// whole input, which have no window (and a pair row then has no batch_time).
func AppendTalkerRowJSON(dst []byte, r *talkers.Result, row *talkers.Row, ws, bt []byte) []byte {
	switch r.Key {
	case talkers.Conversation:
		dst = appendField(dst, '{', "a", row.A)
		dst = appendField(dst, ',', "b", row.B)
	case talkers.Host:
		dst = appendField(dst, '{', "host", row.A)
	default:
		dst = appendField(dst, '{', "src", row.A)
		dst = appendField(dst, ',', "dst", row.B)
		v := row.Packets
		if r.By == talkers.Bytes {
			v = row.Bytes
		}
		dst = appendInt(dst, "count", v)
		if bt != nil {
			dst = append(append(dst, `,"batch_time":`...), bt...)
		}
	}
	dst = appendInt(dst, "packets", row.Packets)
	dst = appendInt(dst, "bytes", row.Bytes)
	switch r.Key {
	case talkers.Conversation:
		dst = appendInt(dst, "packets_ab", row.PacketsAB)
		dst = appendInt(dst, "bytes_ab", row.BytesAB)
		dst = appendInt(dst, "packets_ba", row.PacketsBA)
		dst = appendInt(dst, "bytes_ba", row.BytesBA)
	case talkers.Host:
		dst = appendInt(dst, "tx_packets", row.PacketsAB)
		dst = appendInt(dst, "tx_bytes", row.BytesAB)
		dst = appendInt(dst, "rx_packets", row.PacketsBA)
		dst = appendInt(dst, "rx_bytes", row.BytesBA)
	}
	if row.Approx {
		dst = append(dst, `,"approx":true`...)
		dst = appendInt(dst, "error", row.Error)
	}
	if bt != nil {
		dst = appendWindow(dst, ws, bt)
	}
	return append(dst, '}')
}

// AppendWindowTotalsJSON appends the object that ends a window's rows: its bounds, its
// exact total packets and bytes, and how many distinct keys it held ("keys_approx" when
// that is an estimate).
func AppendWindowTotalsJSON(dst []byte, r *talkers.Result, ws, bt []byte) []byte {
	dst = append(dst, '{')
	if bt != nil {
		dst = append(append(dst, `"window_start":`...), ws...)
		dst = append(append(dst, `,"window_end":`...), bt...)
		dst = append(dst, ',')
	}
	dst = append(dst, `"total_packets":`...)
	dst = strconv.AppendInt(dst, r.Packets, 10)
	dst = appendInt(dst, "total_bytes", r.Bytes)
	dst = appendInt(dst, "keys", r.Keys)
	if !r.KeysExact {
		dst = append(dst, `,"keys_approx":true`...)
	}
	return append(dst, '}')
}

// talkerRowKey is a row's Kafka record key: "src dst", "a b", or the host.
func talkerRowKey(dst []byte, r *talkers.Result, row *talkers.Row) []byte {
	if r.Key == talkers.Host {
		return append(dst, row.A...)
	}
	return append(append(append(dst, row.A...), ' '), row.B...)
}

func appendField(dst []byte, sep byte, name, v string) []byte {
	dst = append(dst, sep, '"')
	dst = append(append(dst, name...), '"', ':')
	return AppendJSONString(dst, v)
}

func appendInt(dst []byte, name string, v int64) []byte {
	dst = append(dst, ',', '"')
	dst = append(append(dst, name...), '"', ':')
	return strconv.AppendInt(dst, v, 10)
}

func appendWindow(dst, ws, bt []byte) []byte {
	dst = append(append(dst, `,"window_start":`...), ws...)
	return append(append(dst, `,"window_end":`...), bt...)
}

// writeTalkers produces a window's rows, keyed by their key, and its totals, unkeyed.
func (k *Kafka) writeTalkers(ctx context.Context, b Batch) error {
	r := b.Talkers
	bt := AppendJSONTime(nil, b.Time)
	ws := AppendJSONTime(nil, r.Start.In(b.Time.Location()))
	recs := make([]*kgo.Record, 0, len(r.Rows)+1)
	for i := range r.Rows {
		row := &r.Rows[i]
		recs = append(recs, &kgo.Record{Topic: k.topic, Key: talkerRowKey(nil, r, row),
			Value: AppendTalkerRowJSON(nil, r, row, ws, bt)})
	}
	recs = append(recs, &kgo.Record{Topic: k.topic, Value: AppendWindowTotalsJSON(nil, r, ws, bt)})
	if err := k.p.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("kafka sink %s: %w", k.topic, err)
	}
	return nil
}
