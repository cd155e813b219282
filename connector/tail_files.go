package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// open positions the tailer for a run: at saved when the file it names can still be found
// (at the path, or rotated beside it), else at the start of the file at the path, waiting
// for that file to appear.
func (t *tailer) open(ctx context.Context, saved *Position) error {
	if saved == nil {
		return t.openPath(ctx)
	}
	f, err := openRegular(t.cfg.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if f != nil {
		same, err := isFile(f, saved.ID)
		if err != nil {
			f.Close()
			return err
		}
		if same {
			return t.resumeIn(f, *saved)
		}
	}
	// The path names another file, or none: ours was rotated while bridge was stopped.
	if rot := t.findRotated(saved.ID, saved.Offset, nil); rot != nil {
		if f != nil {
			f.Close()
		}
		t.log.Info("resuming in the rotated file first", "file", rot.Name(), "offset", saved.Offset)
		return t.startAt(rot, saved.Offset)
	}
	if saved.Offset > 0 {
		t.log.Warn("the file of the saved offset is gone; reading the current file from its start",
			"file", t.cfg.Path, "saved_offset", saved.Offset)
	}
	if f != nil {
		return t.start(f, 0, nil)
	}
	return t.openPath(ctx)
}

// resumeIn resumes in f, the saved file, unless it was truncated meanwhile.
func (t *tailer) resumeIn(f *os.File, saved Position) error {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	why := "truncated"
	if fi.Size() >= saved.Offset {
		same, err := beforeMatches(f, saved)
		if err != nil {
			f.Close()
			return err
		}
		if same {
			return t.startAt(f, saved.Offset)
		}
		// Same inode, same head, long enough, other bytes before the offset: rewritten in
		// place behind a constant header. Its lines before the offset are new ones.
		why = "rewritten"
	}
	t.stats.Truncations.Add(1)
	if cp := t.findRotated(saved.ID, saved.Offset, fi); cp != nil {
		if same, err := beforeMatches(cp, saved); err == nil && same {
			f.Close()
			t.log.Info("file was "+why+" while stopped; finishing its copy first", "copy", cp.Name(),
				"offset", saved.Offset)
			return t.startAt(cp, saved.Offset)
		}
		cp.Close()
	}
	t.log.Warn("file was "+why+" while stopped; reading it from the start", "file", f.Name(),
		"saved_offset", saved.Offset, "size", fi.Size())
	return t.start(f, 0, nil)
}

// startAt starts reading f at off, knowing its head from the file itself.
func (t *tailer) startAt(f *os.File, off int64) error {
	head, err := readHead(f, t.cfg.HeadBytes)
	if err != nil {
		f.Close()
		return err
	}
	return t.start(f, off, head)
}

// openPath waits for the file at the path to exist, then starts reading it from 0.
func (t *tailer) openPath(ctx context.Context) error {
	said := false
	for {
		f, err := openRegular(t.cfg.Path)
		if err == nil {
			return t.start(f, 0, nil)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !said {
			t.log.Info("waiting for the file to appear", "file", t.cfg.Path)
			said = true
		}
		t.note.watchCreate()
		timer := time.NewTimer(t.cfg.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-t.note.C():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// openRegular opens the file at path, refusing one that is not a regular file: opening a FIFO
// would block until a writer came (and its bytes cannot be read again from an offset), and a
// directory has no lines.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	return os.Open(path)
}

// checkRegular returns ErrNotRegularFile, saying what it is, unless fi is a regular file.
func checkRegular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("file %s is %s: %w", path, fileKind(fi.Mode()), ErrNotRegularFile)
}

// isFile reports whether f is the file id names: same inode and same first bytes.
func isFile(f *os.File, id FileID) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	if dev, ino := fileKey(fi); dev != id.Dev || ino != id.Ino {
		return false, nil
	}
	return headMatches(f, id)
}

// compressed names the suffixes of rotated files that are no longer plain text.
var compressed = []string{".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z", ".zip"}

// findRotated looks beside the path for the file id names, holding at least off bytes: first
// the same inode (renamed by logrotate's create), then a file named like a rotation of the
// path (<file>.1, <file>-20240101, ...) that starts with the same bytes (copytruncate's copy).
// skip, when set, is a file not to return (the truncated original). It returns nil when none
// is found.
func (t *tailer) findRotated(id FileID, off int64, skip fs.FileInfo) *os.File {
	dir, base := filepath.Split(t.cfg.Path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.log.Warn("cannot list the directory for rotated files", "dir", dir, "err", err)
		return nil
	}
	var copies []string
	for _, e := range entries {
		name := e.Name()
		if name == base || !e.Type().IsRegular() {
			continue
		}
		full := filepath.Join(dir, name)
		fi, err := e.Info()
		if err != nil || fi.Size() < off || (skip != nil && os.SameFile(fi, skip)) {
			continue
		}
		if dev, ino := fileKey(fi); dev == id.Dev && ino == id.Ino {
			if f := openIfHead(full, id); f != nil {
				return f
			}
			continue
		}
		if isRotationName(base, name) {
			copies = append(copies, full)
		}
	}
	slices.SortFunc(copies, func(a, b string) int { return len(a) - len(b) }) // <file>.1 first
	for _, name := range copies {
		if f := openIfHead(name, id); f != nil {
			return f
		}
	}
	return nil
}

func isRotationName(base, name string) bool {
	rest, ok := strings.CutPrefix(name, base)
	if !ok || rest == "" || (rest[0] != '.' && rest[0] != '-') {
		return false
	}
	for _, suffix := range compressed {
		if strings.HasSuffix(rest, suffix) {
			return false
		}
	}
	return true
}

func openIfHead(name string, id FileID) *os.File {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	if ok, err := headMatches(f, id); err != nil || !ok {
		f.Close()
		return nil
	}
	return f
}

// checkFiles looks at the files once the current one is read to its end, and reports whether
// there is more to read now (more data, or another file).
func (t *tailer) checkFiles() (bool, error) {
	cur, err := t.f.Stat()
	if err != nil {
		return false, err
	}
	at, err := os.Stat(t.cfg.Path)
	switch {
	case err == nil && os.SameFile(cur, at):
		t.goneSaid = false
		return t.checkTruncated(cur)
	case errors.Is(err, fs.ErrNotExist):
		if !t.goneSaid {
			t.log.Info("the file is gone; still reading the old one until a new one appears", "file", t.cfg.Path)
			t.goneSaid = true
		}
		return false, nil
	case err != nil:
		return false, err
	}
	// The path names another file: ours was rotated. While the new file is empty the writer
	// may still be writing the old one (tshark >> file keeps its descriptor), so stay until
	// the new file has data or the old one has been idle for RotateWait.
	if at.Size() == 0 && time.Since(t.lastData) < t.cfg.RotateWait {
		return false, nil
	}
	// One last read after seeing the new file: a writer writes the old file before the new
	// one, so whatever it wrote to the old file is visible now.
	n, err := t.fill()
	if err != nil || n > 0 || t.hasLine() {
		return err == nil, err
	}
	return t.rotate()
}

// hasLine reports whether the buffer holds a complete line not handed out yet.
func (t *tailer) hasLine() bool {
	_, n := nextLine(t.buf[t.r:t.w])
	return n > 0
}

// rotate moves from the finished old file to the next one: a rotated file newer than it,
// when rotations came faster than we read (or while bridge was stopped), else the file at
// the path.
func (t *tailer) rotate() (bool, error) {
	cur, err := t.f.Stat()
	if err != nil {
		return false, err
	}
	f := t.nextRotated(cur)
	atPath := f == nil
	if f == nil {
		if f, err = openRegular(t.cfg.Path); errors.Is(err, fs.ErrNotExist) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	old, at := t.gen.name, t.pos()
	t.finished = append(t.finished, t.gen.id())
	if len(t.finished) > maxFinished {
		t.finished = t.finished[1:]
	}
	t.dropPartial("rotated")
	t.stats.Rotations.Add(1)
	t.log.Info("file rotated: read the old file to its end, following the next one",
		"old", old, "old_offset", at, "next", f.Name())
	if err := t.start(f, 0, nil); err != nil || !atPath {
		return true, err
	}
	return true, t.missedRotation(cur)
}

// missedRotation closes rotate's race: a rotation between its look for rotated files and its
// read of the path's head (a starved tailer) leaves the generation in between only in the
// rotated file, which that look did not see, and the path's new bytes pass for it. A rotated
// file is made before the path gets new bytes, so one more look, after the head was read,
// finds it: a rotated file newer than cur that does not start as the path does now (one that
// does is a copy of what the path holds). It is read first, the path after it.
func (t *tailer) missedRotation(cur fs.FileInfo) error {
	rot := t.nextRotated(cur)
	if rot == nil {
		return nil
	}
	head, err := readHead(rot, t.cfg.HeadBytes)
	now := t.gen.head
	if err != nil || len(head) == 0 || sameStart(head, now) {
		rot.Close()
		return nil
	}
	t.log.Info("another rotation came while opening the next file; reading it first", "file", rot.Name())
	return t.start(rot, 0, nil)
}

// maxFinished bounds the memory of finished files: rotations read in one burst.
const maxFinished = 64

// nextRotated returns the oldest rotated file (by modification time, which orders rotated
// files: each was last written before the next one was first written) that is not older
// than cur and was not read yet, or nil.
func (t *tailer) nextRotated(cur fs.FileInfo) *os.File {
	dir, base := filepath.Split(t.cfg.Path)
	entries, err := os.ReadDir(filepath.Clean(dir))
	if err != nil {
		return nil
	}
	var best fs.FileInfo
	var bestName string
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || !isRotationName(base, e.Name()) ||
			os.SameFile(fi, cur) || fi.ModTime().Before(cur.ModTime()) {
			continue
		}
		if best != nil && !fi.ModTime().Before(best.ModTime()) {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if t.wasFinished(name, fi) {
			continue
		}
		best, bestName = fi, name
	}
	if best == nil {
		return nil
	}
	f, err := os.Open(bestName)
	if err != nil {
		return nil
	}
	return f
}

// wasFinished reports whether the file is one this run already read to its end.
func (t *tailer) wasFinished(name string, fi fs.FileInfo) bool {
	dev, ino := fileKey(fi)
	for _, id := range t.finished {
		if id.Dev != dev || id.Ino != ino {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return true
		}
		same, _ := headMatches(f, id)
		f.Close()
		if same {
			return true
		}
	}
	return false
}

// verify checks, after every read, that the file was not truncated under it: a file truncated
// and rewritten past our offset gives bytes from the middle of a new line at that offset,
// which must be dropped before they are cut into lines.
func (t *tailer) verify() error {
	cur, err := t.f.Stat()
	if err != nil {
		return err
	}
	_, err = t.checkTruncated(cur)
	return err
}

// checkTruncated detects a truncation (copytruncate, "> file") of the current file: it is
// shorter than what was read, or its first bytes changed.
func (t *tailer) checkTruncated(cur fs.FileInfo) (bool, error) {
	if t.readPos() == 0 && len(t.gen.head) == 0 {
		return t.copiedUnread(cur)
	}
	if cur.Size() >= t.readPos() {
		same, err := t.headUnchanged()
		if err != nil || same {
			return false, err
		}
	}
	return true, t.truncated(cur)
}

func (t *tailer) headUnchanged() (bool, error) {
	head := t.gen.head // only this goroutine writes it
	if len(head) == 0 {
		return true, nil
	}
	now, err := readHead(t.f, len(head))
	if err != nil {
		return false, err
	}
	return bytes.Equal(now, head), nil
}

// rotatedFiles returns the device and inode of each file beside the path named like a
// rotation of it.
func (t *tailer) rotatedFiles() map[[2]uint64]bool {
	dir, base := filepath.Split(t.cfg.Path)
	entries, _ := os.ReadDir(filepath.Clean(dir))
	seen := make(map[[2]uint64]bool)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && isRotationName(base, e.Name()) {
			dev, ino := fileKey(fi)
			seen[[2]uint64{dev, ino}] = true
		}
	}
	return seen
}

// copiedUnread handles a copytruncate of a generation the tailer has read nothing of yet
// (starved on a loaded machine while the writer filled it and logrotate copied and
// truncated it): there is no head to compare, so the only sign is a rotated copy that was
// not there when the generation started and does not start as the file does now. Its lines
// are this generation's: read it from 0 first.
func (t *tailer) copiedUnread(cur fs.FileInfo) (bool, error) {
	if cur.Size() == 0 {
		return false, nil // nothing written since the start: nothing to lose yet
	}
	cp := t.copySinceStart()
	if cp == nil {
		return false, nil // the file holds what none of its copies do: read it
	}
	t.stats.Truncations.Add(1)
	t.log.Warn("file was copied and truncated before any of it was read; reading its copy first",
		"file", t.cfg.Path, "copy", cp.Name())
	return true, t.start(cp, 0, nil)
}

// truncated restarts the current file from 0, after finishing copytruncate's copy when one
// is found beside it: then only lines written between the copy and the truncation are lost.
func (t *tailer) truncated(cur fs.FileInfo) error {
	at := t.pos()
	id := t.gen.id()
	t.stats.Truncations.Add(1)
	if cp := t.findRotated(id, at, cur); cp != nil {
		t.log.Info("file truncated; finishing its copy first", "file", t.f.Name(), "copy", cp.Name(), "offset", at)
		return t.startAt(cp, at)
	}
	t.dropPartial("truncated")
	// No copy of this generation holds what is left of it (none was made, or it ends before
	// the offset: the lines written between the copy and the truncation were read from the
	// file); a generation after it may have come and gone.
	if cp := t.copySinceStart(); cp != nil {
		t.log.Warn("file truncated twice since it was last read; reading the copy of the generation in between first",
			"file", t.f.Name(), "was_at", at, "copy", cp.Name())
		return t.start(cp, 0, nil)
	}
	t.log.Warn("file truncated; reading it again from the start", "file", t.f.Name(), "was_at", at)
	return t.start(t.f, 0, nil)
}

// copySinceStart returns the oldest copy beside the path made since this generation
// started that starts neither as this generation (its own copy) nor as what the path holds
// now (a copy of that, not truncated yet): a generation the tailer never read. A starved
// tailer can sleep through a whole generation, written, copied and truncated before it
// looked again; rotate reads any newer copy after it. Nil when there is none.
func (t *tailer) copySinceStart() *os.File {
	ours := t.gen.head // only this goroutine writes it
	now, err := readHead(t.f, t.cfg.HeadBytes)
	if err != nil {
		return nil
	}
	dir, base := filepath.Split(t.cfg.Path)
	entries, _ := os.ReadDir(filepath.Clean(dir))
	var best *os.File
	var bestAt time.Time
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || !isRotationName(base, e.Name()) {
			continue
		}
		if dev, ino := fileKey(fi); t.gen.rotatedAtStart[[2]uint64{dev, ino}] {
			continue
		}
		if best != nil && !fi.ModTime().Before(bestAt) {
			continue
		}
		cp, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		head, err := readHead(cp, t.cfg.HeadBytes)
		if err != nil || sameStart(head, ours) || sameStart(head, now) {
			cp.Close()
			continue
		}
		if best != nil {
			best.Close()
		}
		best, bestAt = cp, fi.ModTime()
	}
	return best
}

// sameStart says whether two heads, both known, are of one file: one is the start of the
// other (a head is read up to HeadBytes, or as far as the file went).
func sameStart(a, b []byte) bool {
	return len(a) > 0 && len(b) > 0 && (bytes.HasPrefix(a, b) || bytes.HasPrefix(b, a))
}

// dropPartial gives up an incomplete last line of a file that will not grow any more.
func (t *tailer) dropPartial(why string) {
	n := int64(t.w - t.r)
	if t.over.active {
		n += t.over.total
	}
	if n > 0 {
		t.stats.DroppedBytes.Add(n)
		t.log.Warn("dropping an incomplete last line", "file", t.f.Name(), "bytes", n, "reason", why)
	}
}
