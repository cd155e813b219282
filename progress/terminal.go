package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// barWidth is the bar's width in cells when the terminal has room for it; minBarWidth is
// as narrow as it gets before the rest of the line is cut instead.
const (
	barWidth    = 24
	minBarWidth = 8
)

// clearLine returns the cursor to column 0 and erases the line (ANSI EL).
const clearLine = "\r\x1b[K"

// IsTerminal reports whether w is a terminal (the terminal driver answers for it, which
// /dev/null, a character device too, does not) and TERM does not say it cannot move the
// cursor.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// Terminal is a writer to a terminal that keeps one status line at the bottom: what is
// written through it (log lines) appears above the status line, which is drawn again
// after it. The status line is cut to the terminal's width, so that a redraw never wraps
// and leaves a stale line behind. Safe for concurrent use.
type Terminal struct {
	mu      sync.Mutex
	w       io.Writer
	width   func() int // columns, 0 when unknown; asked at every draw, as terminals resize
	line    string     // the status line shown, "" when none
	partial bool       // the last write did not end a line: redraw after the next one
}

// NewTerminal returns a Terminal writing to w. When w is a terminal, status lines fit its
// width; on any other writer they are not cut.
func NewTerminal(w io.Writer) *Terminal {
	t := &Terminal{w: w, width: func() int { return 0 }}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		t.width = func() int {
			cols, _, err := term.GetSize(fd)
			if err != nil {
				return 0
			}
			return cols
		}
	}
	return t
}

// Width is the terminal's width in columns, 0 when unknown.
func (t *Terminal) Width() int { return t.width() }

// fit cuts s to the room a status line has on a terminal of width columns: one column
// less, since a line that fills the last column wraps on some terminals.
func fit(s string, width int) string {
	if width <= 0 || len(s) < width {
		return s
	}
	return s[:max(width-1, 0)]
}

// Write writes p above the status line.
func (t *Terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.line != "" && !t.partial {
		if _, err := io.WriteString(t.w, clearLine); err != nil {
			return 0, err
		}
	}
	n, err := t.w.Write(p)
	if err != nil {
		return n, err
	}
	t.partial = len(p) > 0 && p[len(p)-1] != '\n'
	if t.line != "" && !t.partial {
		_, err = io.WriteString(t.w, t.line)
	}
	return n, err
}

// SetLine shows s as the status line.
func (t *Terminal) SetLine(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s = fit(s, t.width())
	t.line = s
	if !t.partial {
		_, _ = io.WriteString(t.w, clearLine+s)
	}
}

// Finish shows s as the status line one last time and leaves it on screen.
func (t *Terminal) Finish(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.partial {
		_, _ = io.WriteString(t.w, "\n")
	}
	_, _ = io.WriteString(t.w, clearLine+fit(s, t.width())+"\n")
	t.line, t.partial = "", false
}

// barLine renders the status line: name, bar, percent, what is left, rate and ETA. The
// bar narrows to keep the line within the terminal's width.
func (r *Reporter) barLine(f Figures) string {
	tail := fmt.Sprintf(" %5.1f%%  %s left  %s %s/s  ETA ", f.Percent,
		amount(f.Behind, r.cfg.Unit), count(f.ItemRate), r.cfg.Items)
	if f.ETA > 0 {
		tail += etaString(f.ETA)
	} else {
		tail += "--"
	}
	return r.cfg.Name + " " + bar(f.Percent, r.barCells(len(r.cfg.Name)+len(tail))) + tail
}

// doneLine renders the status line of a backlog worked off.
func (r *Reporter) doneLine(done, items int64, took time.Duration) string {
	what := amount(done, r.cfg.Unit)
	if r.cfg.Items != r.cfg.Unit.String() {
		what += ", " + count(float64(items)) + " " + r.cfg.Items
	}
	tail := fmt.Sprintf(" 100.0%%  caught up: %s in %s", what, took)
	return r.cfg.Name + " " + bar(100, r.barCells(len(r.cfg.Name)+len(tail))) + tail
}

// barCells is the bar's width beside rest columns of text: barWidth, or less on a narrow
// terminal (the line keeps one column free, and the bar's brackets and a space take 3).
func (r *Reporter) barCells(rest int) int {
	width := r.term.Width()
	if width <= 0 {
		return barWidth
	}
	return min(barWidth, max(width-1-rest-3, minBarWidth))
}

// bar draws percent done as cells, in brackets.
func bar(percent float64, cells int) string {
	filled := min(max(int(percent/100*float64(cells)), 0), cells)
	return "[" + strings.Repeat("=", filled) + strings.Repeat(" ", cells-filled) + "]"
}

// amount renders n of unit u for people: 1.5 GiB, 2.3M records.
func amount(n int64, u Unit) string {
	if u == Records {
		return count(float64(n)) + " records"
	}
	const units = "KMGTPE"
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, units[i])
}

// count renders a count or rate with an SI suffix: 950, 12.3k, 4.5M.
func count(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.1fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
