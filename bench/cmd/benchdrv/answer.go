package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
)

// answerWatch says how far a talkers run is, and what its answer was.
type answerWatch struct {
	exits    bool // the tool ends by itself once done
	progress func() (int64, error)
	answer   func() []talker // nil: the run gives no top list to check
}

// topWatch follows the jsonl sink of bridge stream --top: a run is done at the first
// window that holds all N records. Binaries with the talkers output end each window with
// a totals object ("total_packets"); older ones write rows only, and then the first window
// written after the stream's records_total metric reached N is the one.
type topWatch struct {
	path, metrics string
	n             int64
	host          bool

	f       *os.File
	part    []byte
	read    int64 // bytes of the file consumed
	mark    int64 // file size when records_total reached N; -1 before
	cur     []talker
	curTime string // batch_time of the rows in cur (rows-only output)
	curAt   int64  // file offset where cur began
	done    []talker
	seen    bool // a totals object was seen: the talkers output
}

func newTopWatch(path, metrics string, n int64, host bool) *answerWatch {
	w := &topWatch{path: path, metrics: metrics, n: n, host: host, mark: -1}
	return &answerWatch{progress: w.progress, answer: func() []talker { return w.done }}
}

// topLine is every field a --top jsonl line may have.
type topLine struct {
	Src          string `json:"src"`
	Dst          string `json:"dst"`
	Host         string `json:"host"`
	BatchTime    string `json:"batch_time"`
	Count        int64  `json:"count"`
	Packets      int64  `json:"packets"`
	Bytes        int64  `json:"bytes"`
	TotalPackets *int64 `json:"total_packets"`
}

func (w *topWatch) progress() (int64, error) {
	if w.done != nil {
		return w.n, nil
	}
	if !w.seen && w.mark < 0 {
		if got, err := w.recordsRead(); err == nil && got >= w.n {
			st, err := os.Stat(w.path)
			if err == nil {
				w.mark = st.Size()
			} else {
				w.mark = 0
			}
		}
	}
	if err := w.readLines(); err != nil {
		return 0, err
	}
	// Rows-only output: a window is whole once the next one starts; the window after the
	// mark was written by one write(2) (ten rows), so it is whole when read.
	if w.done == nil && !w.seen && w.mark >= 0 && w.cur != nil && w.curAt >= w.mark {
		w.done = w.cur
	}
	if w.done != nil {
		return w.n, nil
	}
	return 0, nil
}

// readLines consumes the lines appended since the last call.
func (w *topWatch) readLines() error {
	if w.f == nil {
		f, err := os.Open(w.path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		w.f = f
	}
	buf := make([]byte, 64<<10)
	for w.done == nil {
		n, err := w.f.Read(buf)
		w.part = append(w.part, buf[:n]...)
		for w.done == nil {
			i := bytes.IndexByte(w.part, '\n')
			if i < 0 {
				break
			}
			w.line(w.part[:i], w.read)
			w.read += int64(i + 1)
			w.part = w.part[i+1:]
		}
		if err == io.EOF || n == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// line takes one jsonl line starting at offset at.
func (w *topWatch) line(raw []byte, at int64) {
	var l topLine
	if json.Unmarshal(raw, &l) != nil {
		return
	}
	if l.TotalPackets != nil {
		w.seen = true
		if *l.TotalPackets >= w.n {
			w.done = append([]talker{}, w.cur...)
		}
		w.cur = w.cur[:0]
		return
	}
	if !w.seen && l.BatchTime != w.curTime {
		w.cur, w.curTime, w.curAt = nil, l.BatchTime, at
	}
	t := talker{key: l.Src + " " + l.Dst, packets: l.Packets, bytes: l.Bytes}
	if w.host {
		t.key = l.Host
	}
	if t.packets == 0 && t.bytes == 0 {
		t.packets = l.Count // rows-only output: count is the packets
	}
	w.cur = append(w.cur, t)
}

// recordsRead scrapes bridge_stream_records_total.
func (w *topWatch) recordsRead() (int64, error) {
	return scrape(w.metrics, counter("bridge_stream_records_total"))
}
