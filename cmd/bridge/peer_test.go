package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
)

// listenPeer serves every connection with serve until the test ends, and returns its address.
func listenPeer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// sshBanner answers as sshd does: its banner first, whatever the client sent.
func sshBanner(c net.Conn) {
	_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
	_, _ = io.Copy(io.Discard, c)
}

// tlsListener answers as a TLS server does to a plaintext request: a fatal alert record.
func tlsListener(c net.Conn) {
	_, _ = io.ReadFull(c, make([]byte, 4))
	_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50})
}

// silentHTTP answers as an HTTP server does to bytes without a newline: not at all.
func silentHTTP(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// Issue 12 point 10: --brokers pointing at a port that is not Kafka is said at once.
func TestStreamToAPeerThatIsNotKafka(t *testing.T) {
	addr := listenPeer(t, sshBanner)
	err := usageOf(t, nil, "stream", "demo2", "--brokers", addr)
	require.Error(t, err)
	assert.False(t, isUsage(err), "the value parses: exit 1")
	assert.Contains(t, err.Error(), addr+" does not speak Kafka")
	assert.Contains(t, err.Error(), `"SSH-2.0-OpenSSH_9.2p1`)
}

// A peer that takes the connection and says nothing (an HTTP server waiting for a line)
// might be a very slow broker: it is warned about, soon, and the stream waits for it
// and still stops when asked.
func TestStreamToASilentPeer(t *testing.T) {
	addr := listenPeer(t, silentHTTP)
	r := startCLI(t, "stream", "demo2", "--brokers", addr)
	m := r.logged(t, "a seed broker accepted the connection but gave no Kafka answer: is that port a Kafka listener?")
	assert.Equal(t, addr, m["broker"])
	err := r.stop(t)
	assert.True(t, err == nil || errors.Is(err, context.Canceled), "a stop exits 0: %v", err)
}

func TestCheckPeers(t *testing.T) {
	c := kafkatest.New(t)
	ssh := listenPeer(t, sshBanner)
	tls := listenPeer(t, tlsListener)
	closed := func() string { // a port nothing listens on
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		return ln.Addr().String()
	}()
	for _, tc := range []struct {
		name    string
		brokers []string
		wantErr string
		wantLog string
	}{
		{"kafka", c.Brokers, "", ""},
		{"kafka and an ssh server", append([]string{ssh}, c.Brokers...), "", "a seed broker is not Kafka"},
		{"an ssh server", []string{ssh}, "does not speak Kafka", ""},
		{"nothing listening", []string{closed}, "", ""},
		{"a TLS listener: left to the security probe, which names --tls", []string{tls}, "", ""},
		{"an ssh server and nothing listening", []string{ssh, closed}, "does not speak Kafka", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs testutil.SyncBuffer
			err := checkPeers(context.Background(), slog.New(slog.NewTextHandler(&logs, nil)), tc.brokers)
			if tc.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.wantErr)
			}
			if tc.wantLog != "" {
				assert.Contains(t, logs.String(), tc.wantLog)
			}
		})
	}
}
