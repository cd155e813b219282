package connector

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// tailConfig is the part of Config the tailer needs.
type tailConfig struct {
	Path         string
	HeadBytes    int
	MaxLine      int // a longer line is handed out cut to MaxLine bytes, flagged oversize
	BatchLines   int
	BufferBytes  int
	PollInterval time.Duration
	RotateWait   time.Duration
	Poll         bool
}

// generation is one file the tailer reads from start to end: the file at the path, a rotated
// one being finished, or the same inode again after a truncation.
type generation struct {
	name     string // the name it was opened by, for logs
	dev, ino uint64
	f        *os.File // the tailer's, read by the saver for Position.Before; closed when left
	// rotatedAtStart holds the rotated files beside the path when the generation was
	// started: a copy not among them was made since, of this generation or of one after it.
	rotatedAtStart map[[2]uint64]bool

	mu   sync.Mutex // head grows while the saver reads it
	head []byte     // the file's first bytes as read, up to HeadBytes
}

func (g *generation) id() FileID {
	g.mu.Lock()
	defer g.mu.Unlock()
	return headID(g.dev, g.ino, g.head)
}

// batch is a run of complete lines of one generation. Lines alias the tailer's buffer and
// are valid until the next call to next.
type batch struct {
	gen      *generation
	start    int64 // position before the first line
	lines    [][]byte
	ends     []int64 // position after each line's terminator
	bytes    int64   // bytes consumed, terminators included
	oversize bool    // lines[0] is the first MaxLine bytes of a longer line
	lineLen  int64   // that line's full length
}

// tailer reads a file as a sequence of complete lines, following it across appends,
// rotations (rename+create: the old file is read to its end first) and truncations.
// It reads the bytes itself, rather than taking nxadm/tail's Lines, because nxadm/tail
// splits only on '\n' (Connect also ends lines at a lone '\r'), its offsets restart at 0 on
// every reopen with nothing saying which file a line came from, it reopens a renamed file
// without reading the rest of the old one, and it costs a string, a Line and a channel send
// per line where this reads 1 MiB at a time and hands out slices of its buffer. The notifier
// still uses nxadm/tail's watchers to sleep until a change.
type tailer struct {
	cfg   tailConfig
	log   *slog.Logger
	stats *Stats
	note  *notifier

	f      *os.File
	gen    *generation
	buf    []byte
	r, w   int   // buf[r:w] is read but not yet handed out
	bufOff int64 // file offset of buf[0]
	over   overLine

	lastData time.Time // when f last gave bytes
	goneSaid bool      // logged that the path is gone
	finished []FileID  // rotated files read to their end, not to be read again
	slept    bool      // reached the end and waited since the files were last checked
	b        batch
}

// overLine is a line longer than the buffer being skipped until its terminator.
type overLine struct {
	active bool
	prefix []byte
	total  int64
}

func newTailer(cfg tailConfig, log *slog.Logger, stats *Stats) *tailer {
	return &tailer{
		cfg:   cfg,
		log:   log,
		stats: stats,
		note:  newNotifier(cfg.Path, cfg.Poll, log),
		buf:   make([]byte, cfg.BufferBytes),
		b: batch{
			lines: make([][]byte, 0, cfg.BatchLines),
			ends:  make([]int64, 0, cfg.BatchLines),
		},
	}
}

// pos is the position after the last line handed out.
func (t *tailer) pos() int64 { return t.bufOff + int64(t.r) }

// readPos is the file offset of the next read.
func (t *tailer) readPos() int64 { return t.bufOff + int64(t.w) }

func (t *tailer) close() {
	t.note.close()
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

// start makes f, positioned at off, the file being read, as a new generation.
func (t *tailer) start(f *os.File, off int64, head []byte) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	if t.f != nil && t.f != f {
		t.f.Close()
	}
	if off == 0 && head == nil {
		// The head is read now, not from the first read: a file copied, truncated and
		// written again between this open and that read (a starved tailer, logrotate's
		// copytruncate) would pass its new bytes off as this generation's, and the lines
		// in between would never be looked for in the copy.
		if head, err = readHead(f, t.cfg.HeadBytes); err != nil {
			return err
		}
	}
	dev, ino := fileKey(fi)
	t.f = f
	t.gen = &generation{name: f.Name(), dev: dev, ino: ino, f: f, head: head}
	t.gen.rotatedAtStart = t.rotatedFiles()
	t.bufOff, t.r, t.w = off, 0, 0
	t.over = overLine{}
	t.lastData = time.Now()
	return nil
}

// next returns the next batch of complete lines, waiting up to wait for one. The batch is
// empty when wait passed, or when the tailer moved to a new generation (so the caller can
// record that move even before the new file has a line).
func (t *tailer) next(ctx context.Context, wait time.Duration) (*batch, error) {
	b := t.resetBatch()
	deadline := time.Now().Add(wait)
	for !t.scan(b) {
		more, err := t.advance(ctx, deadline)
		if err != nil {
			return nil, err
		}
		if b.gen != t.gen {
			return t.resetBatch(), nil
		}
		if !more {
			break
		}
	}
	t.stats.LinesRead.Add(int64(len(b.lines)))
	t.stats.BytesRead.Add(b.bytes)
	return b, nil
}

// advance gets more bytes to scan, or another file: it reads; at the end of the file it
// checks the files and sleeps, and after a sleep it checks them again before reading on, so a
// file truncated and rewritten past our offset meanwhile is not read from that offset. It
// returns false once the deadline passed.
func (t *tailer) advance(ctx context.Context, deadline time.Time) (bool, error) {
	if t.slept {
		t.slept = false
		if moved, err := t.checkFiles(); err != nil || moved {
			return true, err
		}
	}
	n, err := t.fill()
	if err != nil {
		return false, err
	}
	if n > 0 {
		return true, t.verify()
	}
	if moved, err := t.checkFiles(); err != nil || moved {
		return true, err
	}
	t.slept = true
	if !time.Now().Before(deadline) {
		return false, nil
	}
	return true, t.wait(ctx, deadline)
}

func (t *tailer) resetBatch() *batch {
	b := &t.b
	clear(b.lines) // drop references into old buffers
	*b = batch{gen: t.gen, start: t.pos(), lines: b.lines[:0], ends: b.ends[:0]}
	return b
}

// scan moves complete lines from the buffer into b and reports whether b is ready.
func (t *tailer) scan(b *batch) bool {
	if t.over.active {
		return t.scanOver(b)
	}
	for len(b.lines) < cap(b.lines) {
		data := t.buf[t.r:t.w]
		line, n := nextLine(data)
		if n == 0 {
			if len(data) <= t.cfg.MaxLine || len(b.lines) > 0 {
				return len(b.lines) > 0
			}
			t.beginOver(data)
			return t.scanOver(b)
		}
		if len(line) > t.cfg.MaxLine {
			if len(b.lines) > 0 {
				return true
			}
			b.oversize, b.lineLen = true, int64(len(line))
			line = line[:t.cfg.MaxLine]
		}
		t.r += n
		b.lines = append(b.lines, line)
		b.ends = append(b.ends, t.pos())
		b.bytes += int64(n)
		if b.oversize {
			return true
		}
	}
	return true
}

// beginOver keeps the first MaxLine bytes of a line too long for the buffer and skips the
// rest as it arrives, so memory stays bounded whatever the writer does.
func (t *tailer) beginOver(data []byte) {
	if cap(t.over.prefix) < t.cfg.MaxLine {
		t.over.prefix = make([]byte, 0, t.cfg.MaxLine)
	}
	t.over = overLine{active: true, prefix: append(t.over.prefix[:0], data[:t.cfg.MaxLine]...)}
}

func (t *tailer) scanOver(b *batch) bool {
	data := t.buf[t.r:t.w]
	line, n := nextLine(data)
	if n == 0 {
		skip := len(data)
		if skip > 0 && data[skip-1] == '\r' {
			skip-- // the next byte decides whether it ends with "\r" or "\r\n"
		}
		t.r += skip
		t.over.total += int64(skip)
		b.bytes += int64(skip)
		return false
	}
	t.r += n
	t.over.total += int64(len(line))
	b.bytes += int64(n)
	b.oversize, b.lineLen = true, t.over.total
	b.lines = append(b.lines, t.over.prefix)
	b.ends = append(b.ends, t.pos())
	t.over.active = false
	return true
}

// fill reads more of the file into the buffer; 0 means end of file for now.
func (t *tailer) fill() (int, error) {
	switch {
	case t.r == t.w:
		t.bufOff += int64(t.w)
		t.r, t.w = 0, 0
	case t.w == len(t.buf) || t.r > len(t.buf)/2:
		copy(t.buf, t.buf[t.r:t.w])
		t.bufOff += int64(t.r)
		t.w -= t.r
		t.r = 0
	}
	n, err := t.f.Read(t.buf[t.w:])
	if n > 0 {
		t.growHead(t.buf[t.w:t.w+n], t.readPos())
		t.w += n
		t.lastData = time.Now()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, err
	}
	return n, nil
}

// growHead records the file's first bytes as they are read.
func (t *tailer) growHead(data []byte, off int64) {
	g := t.gen
	have := int64(len(g.head))
	if have >= int64(t.cfg.HeadBytes) || off > have || off+int64(len(data)) <= have {
		return
	}
	want := min(int64(t.cfg.HeadBytes), off+int64(len(data)))
	g.mu.Lock()
	g.head = append(g.head, data[have-off:want-off]...)
	g.mu.Unlock()
}

func (t *tailer) wait(ctx context.Context, deadline time.Time) error {
	if _, err := os.Stat(t.cfg.Path); err == nil {
		t.note.watchFile(t.readPos())
	} else {
		t.note.watchCreate()
	}
	d := min(time.Until(deadline), t.cfg.PollInterval)
	timer := time.NewTimer(max(d, 0))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.note.C():
	case <-timer.C:
	}
	return nil
}
