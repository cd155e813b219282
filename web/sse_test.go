package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sseReader reads server-sent events from one stream.
type sseReader struct {
	r    *bufio.Reader
	body io.Closer
}

func openEvents(t testing.TB, base string) *sseReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return &sseReader{r: bufio.NewReader(resp.Body), body: resp.Body}
}

// next returns the fields of the next event block, up to its blank line.
func (s *sseReader) next() (map[string]string, error) {
	fields := map[string]string{}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return fields, nil
		}
		k, v, _ := strings.Cut(line, ": ")
		fields[k] = v
	}
}

// nextView skips comments and the retry block and decodes the next view.
func (s *sseReader) nextView(t testing.TB) (map[string]string, view) {
	t.Helper()
	for {
		f, err := s.next()
		require.NoError(t, err)
		if f["event"] != "view" {
			continue
		}
		var v view
		require.NoError(t, json.Unmarshal([]byte(f["data"]), &v))
		return f, v
	}
}

func TestSSEFraming(t *testing.T) {
	srv, base := startServer(t, Config{})
	ev := openEvents(t, base)
	first, err := ev.next()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"retry": "2000"}, first)

	snap := officeSnapshot(30, 6, MeasureBytes)
	srv.Publish(snap)
	f, v := ev.nextView(t)
	assert.Equal(t, "1", f["id"])
	assert.Len(t, f, 3, "event, id and one data line")
	assert.Equal(t, uint64(1), v.Seq)
	assert.Equal(t, MeasureBytes, v.Measure)
	assert.Len(t, v.Rows, 30)

	srv.Publish(officeSnapshot(5, 7, MeasureBytes))
	f, v = ev.nextView(t)
	assert.Equal(t, "2", f["id"])
	assert.Len(t, v.Rows, 5)

	t.Run("a late page gets the current view at once", func(t *testing.T) {
		_, v := openEvents(t, base).nextView(t)
		assert.Equal(t, uint64(2), v.Seq)
	})
}

func TestHubKeepsOnlyTheLatest(t *testing.T) {
	h := newHub()
	stalled := h.subscribe()
	for i := range 1000 {
		h.broadcast([]byte(fmt.Sprint(i)))
	}
	assert.Len(t, stalled.ch, 1)
	assert.Equal(t, "999", string(<-stalled.ch))
	late := h.subscribe()
	assert.Equal(t, "999", string(<-late.ch), "a new page starts from the current view")
	h.unsubscribe(stalled)
	h.unsubscribe(late)
	assert.Equal(t, 0, h.count())
}

// stalledClient opens the event stream and never reads it.
func stalledClient(t testing.TB, base string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	require.NoError(t, c.(*net.TCPConn).SetReadBuffer(4096))
	_, err = fmt.Fprintf(c, "GET /events HTTP/1.1\r\nHost: view\r\n\r\n")
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// bulky is a snapshot with long names, so a stalled client's socket buffers fill quickly.
func bulky(seed uint64) Snapshot {
	s := officeSnapshot(50, seed, MeasurePackets)
	for i := range s.Rows {
		s.Rows[i].A = strings.Repeat("a", 4000) + s.Rows[i].A
	}
	return s
}

func TestStalledClientIsDroppedOthersKeepUp(t *testing.T) {
	srv, base := startServer(t, Config{WriteTimeout: 200 * time.Millisecond})
	reader := openEvents(t, base)
	var seen atomic.Uint64
	go func() {
		for {
			f, err := reader.next()
			if err != nil {
				return
			}
			if f["event"] == "view" {
				var v view
				if json.Unmarshal([]byte(f["data"]), &v) == nil {
					seen.Store(v.Seq)
				}
			}
		}
	}()
	stalledClient(t, base)
	require.Eventually(t, func() bool { return srv.hub.count() == 2 }, 10*time.Second, 5*time.Millisecond)

	var published uint64
	require.Eventually(t, func() bool {
		srv.Publish(bulky(published))
		published++
		return srv.hub.count() == 1
	}, 60*time.Second, time.Millisecond, "the stalled client was never dropped")

	require.Eventually(t, func() bool {
		var v view
		_, body := get(t, base+"/view.json")
		return json.Unmarshal([]byte(body), &v) == nil && v.Seq == seen.Load() && v.Seq > 0
	}, 10*time.Second, 5*time.Millisecond, "the reading client fell behind")
}

// BenchmarkPublish measures what the stream pays per batch with 50 pages open, one of which
// stopped reading, against no page at all.
func BenchmarkPublish(b *testing.B) {
	snap := officeSnapshot(50, 1, MeasurePackets)
	for _, pages := range []int{0, 50} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
			srv, base := startServer(b, Config{})
			for i := range pages {
				if i == 0 {
					stalledClient(b, base)
					continue
				}
				ev := openEvents(b, base)
				go io.Copy(io.Discard, ev.r)
			}
			for srv.hub.count() < pages {
				time.Sleep(time.Millisecond)
			}
			b.ReportAllocs()
			for b.Loop() {
				srv.Publish(snap)
			}
		})
	}
}
