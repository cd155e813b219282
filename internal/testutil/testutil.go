// Package testutil holds small helpers shared by the tests of several packages. It is
// imported by _test.go files and by internal/harness only.
package testutil

import (
	"bytes"
	"sync"
)

// SyncBuffer is a bytes.Buffer safe for one writer and concurrent readers: tests read what
// a running component logs or prints while it runs.
type SyncBuffer struct {
	// Limit, when not zero, is the most it keeps: the head, as the first errors are the
	// telling ones.
	Limit int

	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p (dropping it once Limit is passed).
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.Limit > 0 && b.buf.Len() > b.Limit {
		return len(p), nil
	}
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
