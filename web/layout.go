package web

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/spatial/r2"
)

// Layout settings for gonum's EadesR2 (Eades, "A heuristic for graph drawing", 1984, with a
// Barnes-Hut approximation of the repulsion). The page redraws the picture at every batch and
// must not see it jump: the same hosts and edges keep their places, a changed graph starts from
// the last positions (a new node beside a known peer) and is turned to fit the last picture.
//
// EadesR2 starts every node in the unit square and its edges' natural length is 1, so a graph
// of 50 hosts first expands to several units: a small rate with many updates lets it expand
// without overshooting (at 0.05, the rate of gonum's example, hubs were flung to the rim).
// 300 updates of 36 hosts take about 25 ms, once per change of the top keys' set.
const (
	layoutUpdates   = 300
	layoutRepulsion = 1
	layoutRate      = 0.01
	layoutTheta     = 0.5
)

// layouter places the hosts of successive views, remembering the last positions.
type layouter struct {
	pos   map[string]r2.Vec // last positions, normalised to [0,1]
	shape string            // the last graph's hosts and edges: unchanged, nothing moves
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
	// A sliding window's top keys change their counts at every batch but seldom their set: the
	// same hosts and edges keep their places, so a settled picture stands still.
	shape := shapeOf(names, links)
	if shape == l.shape {
		out := make([]r2.Vec, len(names))
		for i, n := range names {
			out[i] = l.pos[n]
		}
		return out
	}
	l.shape = shape
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
	eades := layout.EadesR2{
		Updates:   layoutUpdates,
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

// shapeOf names a graph by its hosts and edges, not their weights.
func shapeOf(names []string, links []link) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(strconv.Quote(n))
	}
	for _, e := range links {
		fmt.Fprintf(&b, "|%d>%d", e.From, e.To)
	}
	return b.String()
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

// align rotates pos about the centre of the square, mirrored if that fits better, to best fit
// the previous positions of the same names (orthogonal Procrustes analysis in the plane), so a
// picture that settles anew does not turn or flip.
func (l *layouter) align(names []string, pos []r2.Vec) {
	centre := r2.Vec{X: 0.5, Y: 0.5}
	var prev, cur []r2.Vec
	for i, n := range names {
		if p, ok := l.pos[n]; ok {
			prev = append(prev, r2.Sub(p, centre))
			cur = append(cur, r2.Sub(pos[i], centre))
		}
	}
	if len(prev) == 0 {
		return
	}
	mirror := func(v r2.Vec) r2.Vec { return r2.Vec{X: -v.X, Y: v.Y} }
	plain, fitPlain := bestRotation(cur, prev, func(v r2.Vec) r2.Vec { return v })
	flipped, fitFlipped := bestRotation(cur, prev, mirror)
	for i, p := range pos {
		d := r2.Sub(p, centre)
		if fitFlipped > fitPlain {
			d = rotate(mirror(d), flipped)
		} else {
			d = rotate(d, plain)
		}
		pos[i] = r2.Vec{X: clamp(0.5+d.X, 0.02, 0.98), Y: clamp(0.5+d.Y, 0.02, 0.98)}
	}
}

// bestRotation is the angle that turns f(cur) onto prev in least squares, and how well it fits
// (the larger the better: the sum of the dot products after turning).
func bestRotation(cur, prev []r2.Vec, f func(r2.Vec) r2.Vec) (theta, fit float64) {
	var dot, cross float64
	for i := range cur {
		a, b := f(cur[i]), prev[i]
		dot += a.X*b.X + a.Y*b.Y
		cross += a.X*b.Y - a.Y*b.X
	}
	return math.Atan2(cross, dot), math.Hypot(dot, cross)
}

func rotate(v r2.Vec, theta float64) r2.Vec {
	sin, cos := math.Sincos(theta)
	return r2.Vec{X: v.X*cos - v.Y*sin, Y: v.X*sin + v.Y*cos}
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
