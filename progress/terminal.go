package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// barWidth is the bar's width in cells: the whole line stays under 80 columns.
const barWidth = 24

// clearLine returns the cursor to column 0 and erases the line (ANSI EL).
const clearLine = "\r\x1b[K"

// IsTerminal reports whether w is a character device, such as a terminal, and TERM does not
// say it cannot move the cursor. Good enough to choose between a bar and log lines without
// a terminal library.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Terminal is a writer to a terminal that keeps one status line at the bottom: what is
// written through it (log lines) appears above the status line, which is drawn again
// after it. Safe for concurrent use.
type Terminal struct {
	mu      sync.Mutex
	w       io.Writer
	line    string // the status line shown, "" when none
	partial bool   // the last write did not end a line: redraw after the next one
}

// NewTerminal returns a Terminal writing to w.
func NewTerminal(w io.Writer) *Terminal { return &Terminal{w: w} }

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
	_, _ = io.WriteString(t.w, clearLine+s+"\n")
	t.line, t.partial = "", false
}

// barLine renders the status line: name, bar, percent, what is left, rate and ETA.
func (r *Reporter) barLine(f Figures) string {
	filled := int(f.Percent / 100 * barWidth)
	filled = min(max(filled, 0), barWidth)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s [%s%s] %5.1f%%  %s left  %s %s/s", r.cfg.Name,
		strings.Repeat("=", filled), strings.Repeat(" ", barWidth-filled), f.Percent,
		amount(f.Behind, r.cfg.Unit), count(f.ItemRate), r.cfg.Items)
	if f.ETA > 0 {
		fmt.Fprintf(&b, "  ETA %s", etaString(f.ETA))
	} else {
		b.WriteString("  ETA --")
	}
	return b.String()
}

// doneLine renders the status line of a backlog worked off.
func (r *Reporter) doneLine(done, items int64, took time.Duration) string {
	what := amount(done, r.cfg.Unit)
	if r.cfg.Items != r.cfg.Unit.String() {
		what += ", " + count(float64(items)) + " " + r.cfg.Items
	}
	return fmt.Sprintf("%s [%s] 100.0%%  caught up: %s in %s", r.cfg.Name, strings.Repeat("=", barWidth), what, took)
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
