package harness

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Logrotate plays tshark and logrotate at once: it appends numbered lines to a log (each write
// ends at a line end, as tshark's do) while the test rotates the file under it.
type Logrotate struct {
	Path string

	line   func(i int) string
	mu     sync.Mutex // held around a write and around each rotation step that races one
	f      *os.File
	first  int   // index of the first line in the file at Path
	next   int   // index of the next line
	window []int // copytruncate: lines written after the copy was read and before the truncation
	gens   []Generation
}

// Generation is what one copytruncate cut off: lines First to Next-1 were written to the
// file since the rotation before, and its copy holds First to Copied-1 (a line cut by the
// copy counts as not copied).
type Generation struct{ First, Copied, Next int }

// NewLogrotate opens path for appending, creating it. Line i of the log is line(i), which
// ends with a newline; nil means Line.
func NewLogrotate(path string, line func(i int) string) (*Logrotate, error) {
	if line == nil {
		line = Line
	}
	w := &Logrotate{Path: path, line: line}
	return w, w.open()
}

func (w *Logrotate) open() error {
	f, err := os.OpenFile(w.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	w.f = f
	return err
}

// Line is line i of a log, a tshark-like line whose second field is "drill" and third i.
func Line(i int) string {
	return fmt.Sprintf("%d drill %09d 192.168.1.%d → 10.0.0.%d TCP 66 443 → 51234 [ACK] Seq=1 Ack=1 Win=501 Len=0\n",
		i%1000, i, i%250, i%200)
}

// LineIndex is the number a Line carries.
func LineIndex(line []byte) (int, bool) {
	f := strings.Fields(string(line))
	if len(f) < 3 || f[1] != "drill" {
		return 0, false
	}
	i, err := strconv.Atoi(f[2])
	return i, err == nil
}

// Write appends the next k lines in one write.
func (w *Logrotate) Write(k int) error {
	var b bytes.Buffer
	w.mu.Lock()
	defer w.mu.Unlock()
	for range k {
		b.WriteString(w.line(w.next))
		w.next++
	}
	_, err := w.f.Write(b.Bytes())
	return err
}

// Written is the number of lines written so far.
func (w *Logrotate) Written() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next
}

// RenameCreate is logrotate's default: move the file aside to Path.i, the writer reopens
// the path.
func (w *Logrotate) RenameCreate(i int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := os.Rename(w.Path, w.Path+"."+strconv.Itoa(i)); err != nil {
		return err
	}
	w.f.Close()
	w.first = w.next
	return w.open()
}

// CopyTruncate copies the file to Path.i while the writer goes on, then truncates it. The
// lines written between the end of the copy and the truncation exist nowhere any more: it
// returns them, and Window collects them.
func (w *Logrotate) CopyTruncate(i int) ([]int, error) {
	copied, err := os.ReadFile(w.Path)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(w.Path+"."+strconv.Itoa(i), copied, 0o644); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var lost []int
	end := w.first + bytes.Count(copied, []byte("\n"))
	for k := end; k < w.next; k++ {
		lost = append(lost, k)
	}
	w.window = append(w.window, lost...)
	w.gens = append(w.gens, Generation{First: w.first, Copied: end, Next: w.next})
	w.first = w.next
	return lost, os.Truncate(w.Path, 0)
}

// Window lists every line written inside a copy->truncate window so far.
func (w *Logrotate) Window() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.window...)
}

// Generations lists what each copytruncate so far cut off, in order.
func (w *Logrotate) Generations() []Generation {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.gens)
}

// Close closes the log.
func (w *Logrotate) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}
