package web

import (
	"time"
)

// view is the JSON the page renders: a Snapshot with the figures a reader wants (shares, rates,
// "Other") and the picture's node positions computed here, so the browser only draws.
type view struct {
	Seq         uint64     `json:"seq"`
	WindowStart time.Time  `json:"window_start"`
	WindowEnd   time.Time  `json:"window_end"`
	Seconds     float64    `json:"window_seconds"`
	Kind        string     `json:"key"`
	Measure     string     `json:"measure"`
	Total       figures    `json:"total"`
	Other       figures    `json:"other"`
	Rows        []viewRow  `json:"rows"`
	Nodes       []viewNode `json:"nodes"`
	Edges       []viewEdge `json:"edges"`
	Protocols   []Protocol `json:"protocols"`
	Health      viewHealth `json:"health"`
}

type figures struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
	Keys    int    `json:"keys"`
}

type viewRow struct {
	A        string  `json:"a"`
	B        string  `json:"b,omitempty"`
	Packets  uint64  `json:"packets"`
	Bytes    uint64  `json:"bytes"`
	Approx   bool    `json:"approx,omitempty"`
	Error    uint64  `json:"error,omitempty"`
	PktRate  float64 `json:"packets_per_s"`
	ByteRate float64 `json:"bytes_per_s"`
}

type viewNode struct {
	Name    string  `json:"name"`
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Packets uint64  `json:"packets"`
	Bytes   uint64  `json:"bytes"`
}

// viewEdge joins Nodes[From] and Nodes[To]; Both marks a conversation (no single direction).
type viewEdge struct {
	From    int    `json:"from"`
	To      int    `json:"to"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
	Both    bool   `json:"both,omitempty"`
}

type viewHealth struct {
	Lag         int64      `json:"lag"`
	LastBatch   *time.Time `json:"last_batch,omitempty"`
	Skipped     uint64     `json:"skipped"`
	Approximate bool       `json:"approximate"`
}

// buildView turns a Snapshot into the page's view model, placing the hosts with l.
func buildView(seq uint64, s Snapshot, l *layouter) view {
	v := view{
		Seq: seq, WindowStart: s.WindowStart, WindowEnd: s.WindowEnd,
		Seconds: s.WindowEnd.Sub(s.WindowStart).Seconds(),
		Kind:    s.Kind, Measure: s.Measure,
		Total:     figures{Packets: s.TotalPackets, Bytes: s.TotalBytes, Keys: s.DistinctKeys},
		Rows:      make([]viewRow, 0, len(s.Rows)),
		Protocols: s.Protocols,
		Health: viewHealth{
			Lag: s.Health.Lag, Skipped: s.Health.Skipped,
			Approximate: s.Health.Approximate || anyApprox(s.Rows),
		},
	}
	if v.Protocols == nil {
		v.Protocols = []Protocol{}
	}
	if !s.Health.LastBatch.IsZero() {
		t := s.Health.LastBatch
		v.Health.LastBatch = &t
	}
	var top figures
	for _, r := range s.Rows {
		v.Rows = append(v.Rows, viewRow{
			A: r.A, B: r.B, Packets: r.Packets, Bytes: r.Bytes, Approx: r.Approx, Error: r.Error,
			PktRate: rate(r.Packets, v.Seconds), ByteRate: rate(r.Bytes, v.Seconds),
		})
		top.Packets += r.Packets
		top.Bytes += r.Bytes
	}
	v.Other = figures{
		Packets: sub(s.TotalPackets, top.Packets),
		Bytes:   sub(s.TotalBytes, top.Bytes),
		Keys:    max(s.DistinctKeys-len(s.Rows), 0),
	}
	v.Nodes, v.Edges = picture(s, l)
	return v
}

// picture lists the hosts of the top keys, in order of first appearance, and one edge per key.
func picture(s Snapshot, l *layouter) ([]viewNode, []viewEdge) {
	nodes := []viewNode{}
	edges := []viewEdge{}
	index := make(map[string]int)
	host := func(name string, r Row) int {
		i, ok := index[name]
		if !ok {
			i = len(nodes)
			index[name] = i
			nodes = append(nodes, viewNode{Name: name})
		}
		nodes[i].Packets += r.Packets
		nodes[i].Bytes += r.Bytes
		return i
	}
	var heaviest float64
	for _, r := range s.Rows {
		a := host(r.A, r)
		if s.Kind == KindHost {
			continue
		}
		b := a
		if r.B != r.A {
			b = host(r.B, r)
		}
		edges = append(edges, viewEdge{From: a, To: b, Packets: r.Packets, Bytes: r.Bytes,
			Both: s.Kind == KindConversation})
		heaviest = max(heaviest, measureOf(r, s.Measure))
	}
	links := make([]link, 0, len(edges))
	for i, e := range edges {
		w := 1.0
		if heaviest > 0 {
			w = measureOf(s.Rows[i], s.Measure) / heaviest
		}
		links = append(links, link{From: e.From, To: e.To, Weight: w})
	}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	for i, p := range l.place(names, links) {
		nodes[i].X, nodes[i].Y = round3(p.X), round3(p.Y)
	}
	return nodes, edges
}

func measureOf(r Row, measure string) float64 {
	if measure == MeasureBytes {
		return float64(r.Bytes)
	}
	return float64(r.Packets)
}

func anyApprox(rows []Row) bool {
	for _, r := range rows {
		if r.Approx {
			return true
		}
	}
	return false
}

func rate(n uint64, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return round3(float64(n) / seconds)
}

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}
