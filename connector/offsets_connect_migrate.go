package connector

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// migrateConnect returns the position Kafka Connect's FileStreamSource stored for connector
// name reading file in connectFile (a standalone worker's offset.storage.file.filename),
// converted from chars to bytes, or nil when it stored none. It runs only when bridge has no
// offsets of its own, so a switch from Connect neither re-sends nor skips lines.
func migrateConnect(connectFile, name, file string, headBytes int, log *slog.Logger) (*Position, error) {
	cf, err := os.Open(connectFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migrate connect offsets: %w", err)
	}
	offsets, err := readConnectOffsets(cf)
	cf.Close()
	if err != nil {
		return nil, fmt.Errorf("migrate connect offsets %s: %w", connectFile, err)
	}
	off, ok := findConnectOffset(offsets, name, file)
	if !ok {
		log.Info("no Connect offset for this connector and file; starting fresh",
			"connect_offsets", connectFile, "connector", name, "file", file)
		return nil, nil
	}
	return connectPosition(off, name, file, headBytes, log)
}

// findConnectOffset finds the entry of connector name for file, comparing paths as given and
// made absolute (Connect keys by the file= string as written).
func findConnectOffset(offsets []connectOffset, name, file string) (connectOffset, bool) {
	abs, _ := filepath.Abs(file)
	for _, o := range offsets {
		if o.Connector != name {
			continue
		}
		oabs, _ := filepath.Abs(o.Filename)
		if o.Filename == file || (abs != "" && oabs == abs) {
			return o, true
		}
	}
	return connectOffset{}, false
}

func connectPosition(off connectOffset, name, file string, headBytes int, log *slog.Logger) (*Position, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		log.Warn("Connect has an offset for a file that is gone; starting fresh", "file", file)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migrate connect offsets: %w", err)
	}
	defer f.Close()
	bytesAt, err := charsToBytes(f, off.Position)
	if errors.Is(err, ErrPositionPastEOF) {
		log.Warn("Connect's offset is past the end of the file (rotated or truncated since); "+
			"starting from the start", "file", file, "connect_chars", off.Position)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migrate connect offsets: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("migrate connect offsets: %w", err)
	}
	head, err := readHead(f, headBytes)
	if err != nil {
		return nil, err
	}
	dev, ino := fileKey(fi)
	log.Info("migrating from Kafka Connect: resuming where FileStreamSource stopped",
		"file", file, "connector", name, "connect_chars", off.Position, "bytes", bytesAt)
	return &Position{Connector: name, File: file, Offset: bytesAt, ID: headID(dev, ino, head)}, nil
}
