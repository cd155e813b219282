package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// findTshark resolves the --tshark value: a bare name on PATH, or a path as given.
func findTshark(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	if filepath.Base(name) == name {
		return "", ErrNoTshark
	}
	if _, serr := os.Stat(name); errors.Is(serr, fs.ErrNotExist) {
		return "", fmt.Errorf("--tshark %s: the path does not exist", name)
	}
	return "", fmt.Errorf("tshark %s: %w", name, err)
}

// captureArgs is tshark's command line for a live capture of iface. The capture filter
// always leaves out the embedded broker's port: on loopback the pipeline would otherwise
// capture its own Kafka traffic, each batch making the next one bigger.
func captureArgs(iface, filter, brokerAddr string) []string {
	own := "not port " + portOf(brokerAddr)
	if filter != "" {
		own = "(" + filter + ") and " + own
	}
	return []string{"-l", "-i", iface, "-f", own}
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return port
}

// capture runs tshark with args appending to path, as the blog's first terminal did.
func capture(ctx context.Context, tshark string, args []string, path string, log *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("demo log: %w", err)
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, tshark, args...)
	cmd.Stdout = f
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// tshark must not outlive a bridge killed with SIGKILL (issue 12): on Linux the child
	// gets a parent-death signal. The kernel sends it when the OS thread that forked the
	// child exits, not the process, and Go may retire threads, so this goroutine keeps its
	// thread locked from the fork until tshark has been waited for.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dieWithParent(cmd)
	log.Info("capturing", "cmd", cmd.String())
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("tshark: %w", err)
	}
	return ctx.Err()
}
