package connector

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// offsetsLock is a run's hold on its offsets file: an flock on <offsets>.lock, which holds the
// pid of its owner. Two at-least-once runs on the same offsets would each produce every line
// (nothing fences them, as the transactional id fences exactly-once runs), so the second one
// is refused. The kernel drops the lock when the process dies, however it dies; the lock file
// itself stays, as removing it would let a third run lock a new file while the first holds
// the old one.
type offsetsLock struct{ f *os.File }

// lockOffsets prepares the offsets file at path for a run, before a line is read: it takes
// the lock, removes the temp files of a save that died (a stop killed mid-save), and checks
// that a save can replace the file, so a run that could never record its position fails
// before it produces anything.
func lockOffsets(path string, log *slog.Logger) (*offsetsLock, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOffsetsUnwritable, err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOffsetsUnwritable, err)
	}
	if err := flock(f, path); err != nil {
		f.Close()
		return nil, err
	}
	l := &offsetsLock{f: f}
	if err := l.writePid(); err != nil {
		l.release()
		return nil, fmt.Errorf("%w: %w", ErrOffsetsUnwritable, err)
	}
	removeStaleTemps(path, log)
	if err := probeSave(path); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

// flock takes the lock on f without waiting; held, it names the holder's pid.
func flock(f *os.File, path string) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		if pid := lockHolder(f); pid > 0 {
			return fmt.Errorf("offsets %s: %w (pid %d)", path, ErrOffsetsLocked, pid)
		}
		return fmt.Errorf("offsets %s: %w", path, ErrOffsetsLocked)
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return nil
}

// lockHolder reads the pid the lock's holder wrote, or 0.
func lockHolder(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(string(bytes.TrimSpace(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}

func (l *offsetsLock) writePid() error {
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// release drops the lock; the lock file stays.
func (l *offsetsLock) release() { l.f.Close() }

// tempPattern is the pattern of FileStore.Save's temp files for the offsets file at path.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp*" }

// removeStaleTemps removes temp files a save left behind: with the lock held, no save of
// another run can be writing one.
func removeStaleTemps(path string, log *slog.Logger) {
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	for _, name := range stale {
		if err := os.Remove(name); err != nil {
			log.Warn("cannot remove a temp file of an offsets save that did not finish", "file", name, "err", err)
			continue
		}
		log.Info("removed a temp file of an offsets save that did not finish", "file", name)
	}
}

// probeSave checks that FileStore.Save can write the offsets file at path: a temp file can be
// created in its directory, and the name is free or a regular file a rename can replace.
func probeSave(path string) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file (%s)", ErrOffsetsUnwritable, path, fileKind(fi.Mode()))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrOffsetsUnwritable, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrOffsetsUnwritable, err)
	}
	tmp.Close()
	if err := os.Remove(tmp.Name()); err != nil {
		return fmt.Errorf("%w: %w", ErrOffsetsUnwritable, err)
	}
	return nil
}

// fileKind names what a non-regular file is, for errors.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}
