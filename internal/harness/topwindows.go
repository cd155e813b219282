package harness

import (
	"encoding/json"
	"time"
)

// TopWindows adds up what a pair `--top` kafka: sink wrote, window by window: packets per
// "src dst" per window end (ms), and how many window objects (the trailing one with the
// window's totals) each window has, so a test can check every window once and exact.
type TopWindows struct {
	Rows    map[int64]map[string]int64
	Answers map[int64]int
}

// NewTopWindows returns empty tallies.
func NewTopWindows() *TopWindows {
	return &TopWindows{Rows: map[int64]map[string]int64{}, Answers: map[int64]int{}}
}

// Add counts one record value of the sink.
func (w *TopWindows) Add(value []byte) error {
	var obj struct {
		Src, Dst     string
		Packets      int64
		WindowEnd    time.Time `json:"window_end"`
		TotalPackets *int64    `json:"total_packets"`
	}
	if err := json.Unmarshal(value, &obj); err != nil {
		return err
	}
	end := obj.WindowEnd.UnixMilli()
	if obj.TotalPackets != nil {
		w.Answers[end]++
		return nil
	}
	if w.Rows[end] == nil {
		w.Rows[end] = map[string]int64{}
	}
	w.Rows[end][obj.Src+" "+obj.Dst] += obj.Packets
	return nil
}
