package kafkasec

import (
	"fmt"
	"io/fs"
	"os"
)

// Exposed reports whether the file at path can be read by users other than its owner (its
// group or everyone), and its mode, for a warning: a file holding a password or private
// key should be mode 600.
func Exposed(path string) (bool, fs.FileMode, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, 0, fmt.Errorf("stat %s: %w", path, err)
	}
	mode := fi.Mode().Perm()
	return mode&0o044 != 0, mode, nil
}
