package web

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/spatial/r2"
)

// Layout settings for gonum's EadesR2 (Eades, "A heuristic for graph drawing", 1984, with a
// Barnes-Hut approximation of the repulsion). A page that reloads the picture every batch must
// not see it jump: a node placed before starts where it was, so a settled picture only moves
// where the traffic changed, and a new node starts beside a known peer.
const (
	layoutUpdatesFresh  = 300 // iterations when nodes are new
	layoutUpdatesSettle = 120 // iterations when every node was placed before
	layoutRepulsion     = 1
	layoutRate          = 0.01
	layoutTheta         = 0.5
)

// layouter places the hosts of successive views, remembering the last positions.
type layouter struct {
	pos map[string]r2.Vec // last positions, normalised to [0,1]
}

// link is one edge of the picture between hosts at indexes From and To of the node list.
type link struct {
	From, To int
	Weight   float64 // relative, in (0, 1]
}

// place returns a position in [0,1]x[0,1] for each name, in order.
func (l *layouter) place(names []string, links []link) []r2.Vec {
	switch len(names) {
	case 0:
		l.pos = nil
		return nil
	case 1:
		out := []r2.Vec{{X: 0.5, Y: 0.5}}
		l.remember(names, out)
		return out
	}
	out, known := l.run(names, links)
	if known*2 < len(names) {
		// Mostly new nodes: the first run spreads them from their hashed starts; a second from
		// its own result lands near where the next update, starting there, will leave them.
		l.remember(names, out)
		out, _ = l.run(names, links)
	}
	l.remember(names, out)
	return out
}

// run lays the graph out once from the starting positions, and says how many were known.
func (l *layouter) run(names []string, links []link) ([]r2.Vec, int) {
	g := newHostGraph(len(names))
	for _, e := range links {
		// A floor on the weight keeps light edges pulling, or their hosts drift to the rim.
		g.addEdge(int64(e.From), int64(e.To), 0.5+e.Weight)
	}
	starts, known := l.starts(names, links)
	updates := layoutUpdatesFresh
	if known == len(names) {
		updates = layoutUpdatesSettle
	}
	eades := layout.EadesR2{
		Updates:   updates,
		Repulsion: layoutRepulsion,
		Rate:      layoutRate,
		Theta:     layoutTheta,
		Src:       &replay{vals: starts},
	}
	opt := layout.NewOptimizerR2(g, eades.Update)
	for opt.Update() {
	}
	out := make([]r2.Vec, len(names))
	for i := range names {
		out[i] = opt.Coord2(int64(i))
	}
	normalise(out)
	l.align(names, out)
	return out, known
}

func (l *layouter) remember(names []string, pos []r2.Vec) {
	l.pos = make(map[string]r2.Vec, len(names))
	for i, n := range names {
		l.pos[n] = pos[i]
	}
}

// starts lists x, y for every node in order: its last position, else beside its first placed
// peer, else a point hashed from its name. known counts nodes that had a last position.
func (l *layouter) starts(names []string, links []link) (vals []float64, known int) {
	pos := make([]r2.Vec, len(names))
	placed := make([]bool, len(names))
	for i, n := range names {
		if p, ok := l.pos[n]; ok {
			pos[i], placed[i] = p, true
			known++
		}
	}
	for i, n := range names {
		if placed[i] {
			continue
		}
		j := jitter(n)
		pos[i] = r2.Vec{X: 0.2 + 0.6*j.X, Y: 0.2 + 0.6*j.Y}
		if p, ok := placedPeer(i, links, pos, placed); ok {
			pos[i] = r2.Add(p, r2.Scale(0.1, r2.Sub(j, r2.Vec{X: 0.5, Y: 0.5})))
		}
	}
	for i, n := range names {
		// Coincident starts make the attraction's log(distance) infinite: nudge every node by
		// a tiny amount of its own.
		j := jitter(n)
		p := r2.Add(r2.Scale(0.98, pos[i]), r2.Vec{X: 0.01 + 1e-3*j.X, Y: 0.01 + 1e-3*j.Y})
		vals = append(vals, clamp01(p.X), clamp01(p.Y))
	}
	return vals, known
}

func placedPeer(i int, links []link, pos []r2.Vec, placed []bool) (r2.Vec, bool) {
	for _, e := range links {
		switch {
		case e.From == i && placed[e.To]:
			return pos[e.To], true
		case e.To == i && placed[e.From]:
			return pos[e.From], true
		}
	}
	return r2.Vec{}, false
}

// jitter is a point of the unit square that depends only on name.
func jitter(name string) r2.Vec {
	h := fnv.New64a()
	h.Write([]byte(name))
	s := h.Sum64()
	// FNV leaves the high bits of short names alike: finish with splitmix64's mixer.
	s ^= s >> 30
	s *= 0xbf58476d1ce4e5b9
	s ^= s >> 27
	s *= 0x94d049bb133111eb
	s ^= s >> 31
	return r2.Vec{X: float64(s>>40) / (1 << 24), Y: float64(s&(1<<24-1)) / (1 << 24)}
}

func clamp01(v float64) float64 {
	return math.Min(math.Max(v, 0), 1-1e-9)
}

// normalise centres pos on its centroid and scales it by its RMS radius into [0,1]x[0,1]. A
// bounding box would let one far node squeeze every other into a corner, and change the scale
// of the whole picture whenever that node moves.
func normalise(pos []r2.Vec) {
	var c r2.Vec
	for _, p := range pos {
		c = r2.Add(c, p)
	}
	c = r2.Scale(1/float64(len(pos)), c)
	var ss float64
	for _, p := range pos {
		d := r2.Sub(p, c)
		ss += d.X*d.X + d.Y*d.Y
	}
	rms := math.Sqrt(ss / float64(len(pos)))
	if rms == 0 || math.IsNaN(rms) || math.IsInf(rms, 0) {
		for i := range pos {
			pos[i] = r2.Vec{X: 0.5, Y: 0.5}
		}
		return
	}
	for i, p := range pos {
		d := r2.Scale(normalRadius/rms, r2.Sub(p, c))
		pos[i] = r2.Vec{X: clamp(0.5+d.X, 0.02, 0.98), Y: clamp(0.5+d.Y, 0.02, 0.98)}
	}
}

// normalRadius is the RMS distance of the nodes from the centre of the unit square.
const normalRadius = 0.31

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// align rotates pos about the centre of the square to best fit the previous positions of the
// same names (the least-squares rotation of orthogonal Procrustes analysis), so a settled
// picture does not turn as it settles.
func (l *layouter) align(names []string, pos []r2.Vec) {
	centre := r2.Vec{X: 0.5, Y: 0.5}
	var dot, cross float64
	for i, n := range names {
		prev, ok := l.pos[n]
		if !ok {
			continue
		}
		a, b := r2.Sub(pos[i], centre), r2.Sub(prev, centre)
		dot += a.X*b.X + a.Y*b.Y
		cross += a.X*b.Y - a.Y*b.X
	}
	if dot == 0 && cross == 0 {
		return
	}
	theta := math.Atan2(cross, dot)
	sin, cos := math.Sincos(theta)
	for i, p := range pos {
		d := r2.Sub(p, centre)
		r := r2.Vec{X: d.X*cos - d.Y*sin, Y: d.X*sin + d.Y*cos}
		pos[i] = r2.Vec{X: clamp(0.5+r.X, 0.02, 0.98), Y: clamp(0.5+r.Y, 0.02, 0.98)}
	}
}

// replay is a rand.Source that yields the given values, in order, from the Float64 of a
// rand.Rand built on it: EadesR2 takes its starting positions from its Src. Past the end it
// continues with a fixed-seed generator, so the layout stays deterministic.
type replay struct {
	vals []float64
	next int
	rest rand.Source
}

var _ rand.Source = (*replay)(nil)

func (r *replay) Uint64() uint64 {
	if r.next < len(r.vals) {
		v := r.vals[r.next]
		r.next++
		// rand.Rand.Float64 is (Uint64() & (1<<53 - 1)) / (1 << 53).
		return uint64(v * (1 << 53))
	}
	if r.rest == nil {
		r.rest = rand.NewPCG(1, 2)
	}
	return r.rest.Uint64()
}
