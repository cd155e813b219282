package web

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The charts are drawn here with gonum/plot and served as SVG images: a kept library does the
// axes, ticks and scaling, the page stays a few hundred lines of its own code, and the image is
// drawn once per update however many pages show it.

var (
	chartBackground = color.RGBA{0x16, 0x1b, 0x22, 0xff}
	chartInk        = color.RGBA{0x8b, 0x94, 0x9e, 0xff}
	chartGrid       = color.RGBA{0x30, 0x36, 0x3d, 0xff}
	colorPackets    = color.RGBA{0x58, 0xa6, 0xff, 0xff}
	colorBytes      = color.RGBA{0x3f, 0xb9, 0x50, 0xff}
)

const (
	rateWidth   = 6 * vg.Inch
	rateHeight  = 1.6 * vg.Inch
	protoWidth  = 3.7 * vg.Inch
	protoHeight = 2.2 * vg.Inch
	maxProtoBar = 8 // protocols named in the mix chart; the rest are summed as "other"
)

// point is one batch's rates, for the rate charts.
type point struct {
	At             time.Time
	Packets, Bytes float64 // per second over the window
}

// history keeps the rates of the last span; it is owned by the server's view loop.
type history struct {
	span   time.Duration
	points []point
}

func (h *history) add(s Snapshot) {
	secs := s.WindowEnd.Sub(s.WindowStart).Seconds()
	if secs <= 0 || s.WindowEnd.IsZero() {
		return
	}
	p := point{At: s.WindowEnd, Packets: float64(s.TotalPackets) / secs, Bytes: float64(s.TotalBytes) / secs}
	if n := len(h.points); n > 0 && !p.At.After(h.points[n-1].At) {
		h.points = h.points[:0] // time went back: a replay restarted
	}
	h.points = append(h.points, p)
	cut := 0
	for cut < len(h.points) && p.At.Sub(h.points[cut].At) > h.span {
		cut++
	}
	h.points = append(h.points[:0], h.points[cut:]...)
}

// rateChart draws packets/s or bytes/s over the history.
func rateChart(points []point, measure string) ([]byte, error) {
	p := newPlot()
	p.Y.Label.Text = measure + "/s"
	p.X.Tick.Marker = plot.TimeTicks{Format: "15:04:05", Time: plot.UnixTimeIn(time.Local)}
	xys := make(plotter.XYs, len(points))
	for i, pt := range points {
		xys[i].X = float64(pt.At.Unix()) + float64(pt.At.Nanosecond())/1e9
		xys[i].Y = pt.Packets
		if measure == MeasureBytes {
			xys[i].Y = pt.Bytes
		}
	}
	p.Y.Min = 0
	p.Y.Tick.Marker = siTicks{}
	if len(xys) > 0 {
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("rate chart: %w", err)
		}
		line.Color = colorOf(measure)
		line.Width = vg.Points(1.5)
		c := colorOf(measure)
		line.FillColor = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x38}
		p.Add(line)
	}
	return render(p, rateWidth, rateHeight)
}

// protocolChart draws the protocol mix by measure as horizontal bars.
func protocolChart(protos []Protocol, measure string) ([]byte, error) {
	p := newPlot()
	p.X.Label.Text = measure
	p.X.Min = 0
	p.X.Tick.Marker = siTicks{}
	var names []string
	var vals plotter.Values
	var rest float64
	for i, pr := range protos {
		v := float64(pr.Packets)
		if measure == MeasureBytes {
			v = float64(pr.Bytes)
		}
		if i >= maxProtoBar {
			rest += v
			continue
		}
		names = append(names, pr.Name)
		vals = append(vals, v)
	}
	if rest > 0 {
		names, vals = append(names, "other"), append(vals, rest)
	}
	// Bars run top to bottom in the order given; gonum draws the first at the bottom.
	for i, j := 0, len(vals)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
		vals[i], vals[j] = vals[j], vals[i]
	}
	if len(vals) > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(9))
		if err != nil {
			return nil, fmt.Errorf("protocol chart: %w", err)
		}
		bars.Horizontal = true
		bars.Color = colorOf(measure)
		bars.LineStyle.Width = 0
		p.Add(bars)
		p.NominalY(names...)
	}
	return render(p, protoWidth, protoHeight)
}

func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = chartBackground
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Color = chartGrid
		ax.Tick.Color = chartGrid
		ax.Tick.Label.Color = chartInk
		ax.Label.TextStyle.Color = chartInk
		ax.Label.TextStyle.Font.Size = vg.Points(9)
		ax.Label.TextStyle.Font.Variant = "Sans"
		ax.Tick.Label.Font.Size = vg.Points(8)
		ax.Tick.Label.Font.Variant = "Sans"
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = chartGrid
	grid.Horizontal.Color = chartGrid
	grid.Vertical.Width = vg.Points(0.5)
	grid.Horizontal.Width = vg.Points(0.5)
	p.Add(grid)
	return p
}

func render(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	return buf.Bytes(), nil
}

func colorOf(measure string) color.RGBA {
	if measure == MeasureBytes {
		return colorBytes
	}
	return colorPackets
}

// siTicks are gonum's default ticks labelled with SI prefixes (1.5M, not 1500000).
type siTicks struct{}

func (siTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = si(t.Value)
		}
	}
	return ticks
}

func si(v float64) string {
	for _, u := range []struct {
		f float64
		p string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= u.f {
			return strconv.FormatFloat(v/u.f, 'f', -1, 64) + u.p
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
