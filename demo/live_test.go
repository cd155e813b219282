package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standIn writes a stand-in tshark into dir: it records its arguments (one a line) and
// its pid, then sleeps as a capture would, until it is signalled.
func standIn(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "tshark")
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" >%q.tmp\necho $$ >%q\nmv %q.tmp %q\nexec sleep 600\n",
		filepath.Join(dir, "args"), filepath.Join(dir, "pid"), filepath.Join(dir, "args"), filepath.Join(dir, "args"))
	require.NoError(t, os.WriteFile(path, []byte(script), 0o755))
	return path
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) (addr, port string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr = l.Addr().String()
	require.NoError(t, l.Close())
	_, port, _ = net.SplitHostPort(addr)
	return addr, port
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startDemo runs the demo until the returned stop, which checks that it stopped cleanly.
func startDemo(t *testing.T, cfg Config, out io.Writer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, out, quiet()) }()
	return func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "a cancelled demo stops cleanly")
		case <-time.After(30 * time.Second):
			t.Fatal("demo did not stop after cancel")
		}
	}
}

func TestLiveCaptureLeavesOutTheBrokerPort(t *testing.T) {
	for _, tt := range []struct {
		name, filter, want string
	}{
		{"no filter", "", "not port %s"},
		{"user filter", "host 192.0.2.1 or udp", "(host 192.0.2.1 or udp) and not port %s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			listen, port := freeAddr(t)
			stop := startDemo(t, demoConfig(func(c *Config) {
				c.Live, c.Iface, c.CaptureFilter, c.Listen = true, "eth9", tt.filter, listen
				c.Dir, c.Tshark = filepath.Join(dir, "demo"), standIn(t, dir)
			}), io.Discard)
			var args []byte
			require.Eventually(t, func() bool {
				var err error
				args, err = os.ReadFile(filepath.Join(dir, "args"))
				return err == nil
			}, 30*time.Second, 20*time.Millisecond, "the stand-in tshark was not started")
			stop()
			assert.Equal(t, []string{"-l", "-i", "eth9", "-f", fmt.Sprintf(tt.want, port)},
				strings.Split(strings.TrimSuffix(string(args), "\n"), "\n"))
		})
	}
}

func TestTsharkPathThatDoesNotExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "tshark")
	err := Run(context.Background(), demoConfig(func(c *Config) { c.Live, c.Iface, c.Tshark = true, "lo", path }), io.Discard, quiet())
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrNoTshark, "a path is not looked up on PATH")
	assert.Equal(t, "--tshark "+path+": the path does not exist", err.Error())
}

func TestInterfaceWithoutLive(t *testing.T) {
	assert.ErrorContains(t, demoConfig(func(c *Config) { c.Iface = "lo" }).Validate(), "add --live")
	assert.ErrorContains(t, demoConfig(func(c *Config) { c.CaptureFilter = "tcp" }).Validate(), "add --live")
}

// canCapture reports whether tshark can capture on loopback here (root or capture rights).
func canCapture(t *testing.T) string {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	if out, err := exec.Command(tshark, "-i", "lo", "-a", "duration:1", "-w", os.DevNull).CombinedOutput(); err != nil {
		t.Skipf("tshark cannot capture on lo: %v: %s", err, out)
	}
	return tshark
}

// The real thing: tshark on loopback sees the test's HTTP traffic and none of the
// embedded broker's, which is on loopback too.
func TestLiveCaptureOnLoopbackWithRealTshark(t *testing.T) {
	tshark := canCapture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") }))
	defer srv.Close()
	_, webPort, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	listen, brokerPort := freeAddr(t)
	dir := t.TempDir()
	var out syncBuffer
	stop := startDemo(t, demoConfig(func(c *Config) {
		c.Live, c.Iface, c.Listen, c.Dir, c.Tshark, c.Interval = true, "lo", listen, dir, tshark, 300*time.Millisecond
	}), &out)
	logFile := filepath.Join(dir, "en0.log")
	require.Eventually(t, func() bool {
		if resp, err := http.Get(srv.URL); err == nil {
			resp.Body.Close()
		}
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), " → "+webPort+" ") && strings.Contains(out.String(), "('127.0.0.1', '127.0.0.1')")
	}, 60*time.Second, 200*time.Millisecond, "the test's HTTP traffic was not captured and streamed")
	stop()
	b, err := os.ReadFile(logFile)
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		assert.NotContains(t, line+" ", " "+brokerPort+" ", "the broker's own traffic was captured")
	}
}
