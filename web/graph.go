package web

import (
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
)

// hostGraph is a weighted directed graph whose node iteration follows insertion order. gonum's
// simple graphs iterate a map, in random order; EadesR2 draws each node's starting position in
// iteration order, so only an ordered graph gives the same picture for the same input.
type hostGraph struct {
	nodes []graph.Node
	from  map[int64][]graph.Node
	to    map[int64][]graph.Node
	w     map[[2]int64]float64
}

var (
	_ graph.Directed = (*hostGraph)(nil)
	_ graph.Weighted = (*hostGraph)(nil)
)

func newHostGraph(n int) *hostGraph {
	g := &hostGraph{
		from: make(map[int64][]graph.Node),
		to:   make(map[int64][]graph.Node),
		w:    make(map[[2]int64]float64),
	}
	for i := range n {
		g.nodes = append(g.nodes, simple.Node(i))
	}
	return g
}

// addEdge adds u -> v with weight w, or adds w to an existing edge.
func (g *hostGraph) addEdge(u, v int64, w float64) {
	if u == v {
		return // a host talking to itself pulls on nothing
	}
	k := [2]int64{u, v}
	if _, ok := g.w[k]; !ok {
		g.from[u] = append(g.from[u], simple.Node(v))
		g.to[v] = append(g.to[v], simple.Node(u))
	}
	g.w[k] += w
}

func (g *hostGraph) Node(id int64) graph.Node {
	if id < 0 || id >= int64(len(g.nodes)) {
		return nil
	}
	return g.nodes[id]
}

func (g *hostGraph) Nodes() graph.Nodes { return iterator.NewOrderedNodes(g.nodes) }

func (g *hostGraph) From(id int64) graph.Nodes { return iterator.NewOrderedNodes(g.from[id]) }

func (g *hostGraph) To(id int64) graph.Nodes { return iterator.NewOrderedNodes(g.to[id]) }

func (g *hostGraph) HasEdgeBetween(x, y int64) bool {
	return g.HasEdgeFromTo(x, y) || g.HasEdgeFromTo(y, x)
}

func (g *hostGraph) HasEdgeFromTo(u, v int64) bool {
	_, ok := g.w[[2]int64{u, v}]
	return ok
}

func (g *hostGraph) Edge(u, v int64) graph.Edge { return g.WeightedEdge(u, v) }

func (g *hostGraph) WeightedEdge(u, v int64) graph.WeightedEdge {
	w, ok := g.w[[2]int64{u, v}]
	if !ok {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(u), T: simple.Node(v), W: w}
}

func (g *hostGraph) Weight(x, y int64) (float64, bool) {
	if x == y {
		return 0, true
	}
	w, ok := g.w[[2]int64{x, y}]
	return w, ok
}
