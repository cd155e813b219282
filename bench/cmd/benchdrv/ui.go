package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"
)

// Issue 15 point 4: the live view must not slow the stream. These tools run bridge-tshark's
// command line with --ui, and SSE clients of the driver's own (so the bridge process's RSS
// is the view's cost alone): none, 50 that read every update, or one that stops reading
// after the first bytes. The table's "bridge ÷ tool" column is then the throughput ratio.
var uiStreamTools = []streamTool{
	{key: "bridge-ui", label: "bridge stream --ui, no page open", start: bridgeStreamUI(0, false)},
	{key: "bridge-ui-50", label: "bridge stream --ui, 50 pages open", start: bridgeStreamUI(50, false)},
	{key: "bridge-ui-stalled", label: "bridge stream --ui, 1 page that stops reading", start: bridgeStreamUI(1, true)},
}

// bridgeStreamUI runs bridge-tshark with the view on a free loopback port and clients
// pages on /events; stalled clients read the response head and then nothing.
func bridgeStreamUI(clients int, stalled bool) func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
	return func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
		port, err := freePort()
		if err != nil {
			return nil, nil, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		out := filepath.Join(dir, "pairs.jsonl")
		argv := []string{b.cfg.bridge, "stream", topic, "--brokers", b.cfg.brokers,
			"--group", b.group(filepath.Base(dir)), "--from-beginning",
			"--sink", "jsonl:" + out, "--parser", "tshark", "--log-level", "warn", "--ui", addr}
		p, err := startProc(spec{name: "bridge stream --ui", log: filepath.Join(dir, "bridge.log"), argv: argv})
		if err != nil {
			return nil, nil, err
		}
		for range clients {
			go page(p, "http://"+addr+"/events", stalled)
		}
		lc := &lineCounter{path: out}
		return []*proc{p}, lc.count, nil
	}
}

// page is one open page: it connects once the view listens and reads events until the
// bridge exits (or, stalled, reads the head and then holds the connection unread).
func page(p *proc, url string, stalled bool) {
	var resp *http.Response
	for !p.exited() {
		r, err := http.Get(url)
		if err == nil && r.StatusCode == http.StatusOK {
			resp = r
			break
		}
		if err == nil {
			r.Body.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	if stalled {
		<-p.done
		return
	}
	_, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body))
}
