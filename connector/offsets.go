package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultHeadBytes is how many leading bytes of a file take part in its identity.
const DefaultHeadBytes = 256

// Position is where the source stands in its file: every line that ends at or before Offset
// in the file identified by ID has been acknowledged by Kafka.
type Position struct {
	Connector string `json:"connector"`
	File      string `json:"file"`   // the followed path, as configured
	Offset    int64  `json:"offset"` // bytes, always just after a line terminator (or 0)
	ID        FileID `json:"id"`
	// BeforeLen and Before fingerprint the BeforeLen (at most HeadBytes) bytes just before
	// Offset, as a hex SHA-256. A file rewritten in place while bridge was stopped keeps its
	// inode, and with a constant header its head too: only these bytes tell it from the file
	// the offset was saved for. Empty when unknown (older offsets, Connect's).
	BeforeLen int    `json:"before_len,omitempty"`
	Before    string `json:"before_sha256,omitempty"`
	// Instance names the run that saved it (exactly-once only), so a run whose transaction
	// failed can tell whether another instance took over meanwhile.
	Instance string `json:"instance,omitempty"`
}

// FileID tells one file generation from another: the inode survives renames (logrotate's
// create), the head hash catches an inode reused for a new file and a file truncated and
// rewritten in place (copytruncate, "> file"). The head is the first HeadLen bytes as they
// were when the position was saved; a file that has grown since still matches, because only
// its first HeadLen bytes are compared.
type FileID struct {
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	HeadLen int    `json:"head_len"`
	Head    string `json:"head_sha256"` // hex SHA-256 of the first HeadLen bytes
}

// OffsetStore keeps the source's position between runs.
type OffsetStore interface {
	// Load returns the saved position; ok is false when nothing was saved yet.
	Load(ctx context.Context) (pos Position, ok bool, err error)
	// Save replaces the saved position.
	Save(ctx context.Context, pos Position) error
}

// headID returns the FileID of a file with dev, ino whose first bytes are head.
func headID(dev, ino uint64, head []byte) FileID {
	sum := sha256.Sum256(head)
	return FileID{Dev: dev, Ino: ino, HeadLen: len(head), Head: hex.EncodeToString(sum[:])}
}

// fileKey returns the device and inode of a file.
func fileKey(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino //nolint:unconvert // Dev is int32 on some platforms
	}
	return 0, 0
}

// readHead reads up to n leading bytes of f without moving its offset.
func readHead(f *os.File, n int) ([]byte, error) {
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read head: %w", err)
	}
	return buf[:got], nil
}

// headMatches reports whether f starts with the head id describes.
func headMatches(f *os.File, id FileID) (bool, error) {
	head, err := readHead(f, id.HeadLen)
	if err != nil || len(head) < id.HeadLen {
		return false, err
	}
	return headID(id.Dev, id.Ino, head).Head == id.Head, nil
}

// beforeOffset fingerprints the up to n bytes of f just before off, for Position.Before; it
// returns 0, "" when they cannot be read (the file was closed or truncated meanwhile).
func beforeOffset(f *os.File, off int64, n int) (int, string) {
	n = int(min(off, int64(n)))
	if f == nil || n <= 0 {
		return 0, ""
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off-int64(n)); err != nil {
		return 0, ""
	}
	sum := sha256.Sum256(buf)
	return n, hex.EncodeToString(sum[:])
}

// beforeMatches reports whether f holds, just before pos.Offset, the bytes pos fingerprints;
// true when pos has no fingerprint.
func beforeMatches(f *os.File, pos Position) (bool, error) {
	if pos.BeforeLen == 0 {
		return true, nil
	}
	buf := make([]byte, pos.BeforeLen)
	if _, err := f.ReadAt(buf, pos.Offset-int64(pos.BeforeLen)); errors.Is(err, io.EOF) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read before offset: %w", err)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]) == pos.Before, nil
}

// FileStore keeps the position in a small JSON file, replaced atomically: a crash leaves either
// the old or the new position, never a torn one.
type FileStore struct {
	Path string
}

var _ OffsetStore = (*FileStore)(nil)

// Load implements OffsetStore.
func (s *FileStore) Load(context.Context) (Position, bool, error) {
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Position{}, false, nil
	}
	if err != nil {
		return Position{}, false, fmt.Errorf("load offsets: %w", err)
	}
	var pos Position
	if err := json.Unmarshal(data, &pos); err != nil {
		return Position{}, false, fmt.Errorf("load offsets %s: %w", s.Path, err)
	}
	return pos, true, nil
}

// Save implements OffsetStore: temp file in the same directory, fsync, rename, fsync the
// directory, so the rename itself survives a power loss.
func (s *FileStore) Save(_ context.Context, pos Position) error {
	data, err := json.Marshal(pos)
	if err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.Path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := writeSync(tmp, append(data, '\n')); err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	return syncDir(dir)
}

func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("save offsets: sync dir: %w", err)
	}
	return nil
}

// DefaultOffsetsPath names bridge's own offsets file for connector name following file, under
// stateDir (the caller picks $XDG_STATE_HOME/bridge, ~/.local/state/bridge or a temp dir). The
// name shows the log's base name and carries a hash of the connector name and the absolute
// path, so two connectors or two logs of the same base name never share a file.
func DefaultOffsetsPath(stateDir, name, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	sum := sha256.Sum256([]byte(name + "\x00" + abs))
	base := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, filepath.Base(abs))
	return filepath.Join(stateDir, fmt.Sprintf("%s.%s.offsets.json", base, hex.EncodeToString(sum[:6])))
}
