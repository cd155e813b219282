package web

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildViewFigures(t *testing.T) {
	end := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	snap := Snapshot{
		WindowStart: end.Add(-10 * time.Second), WindowEnd: end, Kind: KindPair, Measure: MeasureBytes,
		Rows: []Row{
			{A: "192.0.2.1", B: "198.51.100.7", Packets: 10, Bytes: 15000},
			{A: "198.51.100.7", B: "192.0.2.1", Packets: 30, Bytes: 2000, Approx: true, Error: 40},
			{A: "10.0.0.5", B: "10.0.0.5", Packets: 4, Bytes: 400},
		},
		TotalPackets: 100, TotalBytes: 20000, DistinctKeys: 9,
		Protocols: []Protocol{{Name: "TLSv1.3", Packets: 60, Bytes: 18000}},
		Health:    Health{Lag: 7, LastBatch: end, Skipped: 2},
	}
	v := buildView(3, snap, &layouter{})
	assert.Equal(t, uint64(3), v.Seq)
	assert.Equal(t, 10.0, v.Seconds)
	assert.Equal(t, figures{Packets: 56, Bytes: 2600, Keys: 6}, v.Other, "the rest of the window")
	require.Len(t, v.Rows, 3)
	assert.Equal(t, 1.0, v.Rows[0].PktRate)
	assert.Equal(t, 1500.0, v.Rows[0].ByteRate)
	assert.True(t, v.Rows[1].Approx)
	assert.Equal(t, uint64(40), v.Rows[1].Error)
	assert.True(t, v.Health.Approximate, "an approximate row makes the window approximate")
	assert.Equal(t, int64(7), v.Health.Lag)

	names := make([]string, len(v.Nodes))
	for i, n := range v.Nodes {
		names[i] = n.Name
	}
	assert.Equal(t, []string{"192.0.2.1", "198.51.100.7", "10.0.0.5"}, names, "one node per host")
	assert.Equal(t, uint64(40), v.Nodes[0].Packets, "a node's volume sums its keys")
	assert.Equal(t, uint64(4), v.Nodes[2].Packets, "a host talking to itself counts once")
	assert.Equal(t, []viewEdge{
		{From: 0, To: 1, Packets: 10, Bytes: 15000},
		{From: 1, To: 0, Packets: 30, Bytes: 2000},
		{From: 2, To: 2, Packets: 4, Bytes: 400},
	}, v.Edges)
	for _, n := range v.Nodes {
		assert.True(t, n.X >= 0 && n.X <= 1 && n.Y >= 0 && n.Y <= 1, "%s at (%v, %v)", n.Name, n.X, n.Y)
	}
}

func TestBuildViewKinds(t *testing.T) {
	t.Run("host", func(t *testing.T) {
		snap := Snapshot{Kind: KindHost, Measure: MeasurePackets, Rows: []Row{
			{A: "192.0.2.1", Packets: 5}, {A: "192.0.2.2", Packets: 3},
		}}
		v := buildView(1, snap, &layouter{})
		assert.Len(t, v.Nodes, 2)
		assert.Empty(t, v.Edges)
	})
	t.Run("conversation", func(t *testing.T) {
		snap := Snapshot{Kind: KindConversation, Measure: MeasurePackets, Rows: []Row{
			{A: "192.0.2.1", B: "192.0.2.2", Packets: 5},
		}}
		v := buildView(1, snap, &layouter{})
		require.Len(t, v.Edges, 1)
		assert.True(t, v.Edges[0].Both)
	})
	t.Run("empty", func(t *testing.T) {
		b, err := json.Marshal(buildView(1, Snapshot{Kind: KindPair, Measure: MeasurePackets}, &layouter{}))
		require.NoError(t, err)
		assert.Contains(t, string(b), `"rows":[]`)
		assert.Contains(t, string(b), `"nodes":[]`, "the page iterates these: never null")
		assert.Contains(t, string(b), `"protocols":[]`)
	})
}

func positions(v view) map[string][2]float64 {
	out := make(map[string][2]float64, len(v.Nodes))
	for _, n := range v.Nodes {
		out[n.Name] = [2]float64{n.X, n.Y}
	}
	return out
}

func TestLayoutIsDeterministic(t *testing.T) {
	snap := officeSnapshot(50, 1, MeasurePackets)
	a := buildView(1, snap, &layouter{})
	b := buildView(1, snap, &layouter{})
	assert.Equal(t, positions(a), positions(b))
}

func TestLayoutSpreadsNodes(t *testing.T) {
	v := buildView(1, officeSnapshot(50, 1, MeasurePackets), &layouter{})
	require.Greater(t, len(v.Nodes), 30)
	// Readable at N = 50: no two hosts on top of each other (the page draws the square
	// about 1000 x 620 pixels; a node's radius is 4 to 20).
	for i, a := range v.Nodes {
		for _, b := range v.Nodes[i+1:] {
			d := math.Hypot(a.X-b.X, a.Y-b.Y)
			assert.Greater(t, d, 0.01, "%s and %s overlap", a.Name, b.Name)
		}
	}
}

func TestLayoutStaysPutAcrossUpdates(t *testing.T) {
	var l layouter
	snap := officeSnapshot(50, 1, MeasurePackets)
	first := positions(buildView(1, snap, &l))

	t.Run("same keys, new counts: nothing moves", func(t *testing.T) {
		next := snap.clone()
		for i := range next.Rows {
			next.Rows[i].Packets += uint64(i * 7)
			next.Rows[i].Bytes += uint64(i * 700)
		}
		assert.Equal(t, first, positions(buildView(2, next, &l)))
	})
	t.Run("new hosts: placed, every known host still placed", func(t *testing.T) {
		next := snap.clone()
		next.Rows[len(next.Rows)-1].A = "203.0.113.9"
		got := positions(buildView(3, next, &l))
		require.Contains(t, got, "203.0.113.9")
		for name, p := range got {
			assert.True(t, p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1, "%s at %v", name, p)
		}
		assert.NotEqual(t, first, got, "a changed graph is laid out again")
	})
}
