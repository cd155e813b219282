package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge"
	"github.com/bridge-project/bridge/internal/browsertest"
	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/web"
)

// Where TestDemoViewScreenshot writes its screenshot and how fast it replays the capture:
// `make screenshot` points it at the README's picture and replays at the captured pace.
// Unset, a temporary directory and ten times the pace.
const (
	envScreenshot = "BRIDGE_UI_SCREENSHOT"
	envDemoSpeed  = "BRIDGE_UI_DEMO_SPEED"
)

const hostileSource = `<img src=x onerror=alert(1)>`

// Issue 15 point 7: a real bridge stream on Kafka (real with BRIDGE_TEST_BROKERS, else kfake)
// fed the demo's capture, its view in headless chromium, and the jsonl sink beside it: the
// page shows what the sink wrote, updates when records arrive and renders a hostile name as
// text.
func TestUIBrowserEndToEnd(t *testing.T) {
	b := browsertest.New(t)
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	p := c.Client(t)
	lines := strings.Split(strings.TrimRight(string(bridge.DemoLog), "\n"), "\n")
	produceLines(t, p, topic, lines)

	jsonl := filepath.Join(t.TempDir(), "pairs.jsonl")
	r := startCLI(t, "stream", topic, "--brokers", strings.Join(c.Brokers, ","), "--group", "g-"+topic,
		"--from-beginning", "--interval", "500ms", "--sink", "jsonl:"+jsonl, "--ui", "127.0.0.1:0", "--progress", "off")
	url, _ := r.logged(t, "serving the live view")["url"].(string)
	require.NotEmpty(t, url)

	want := waitPairs(t, jsonl, len(lines))
	require.Greater(t, len(want), web.DefaultFeedTop, "the capture has more pairs than the view ranks")
	b.Do(chromedp.Navigate(url))
	waitTable(t, b, want[:web.DefaultFeedTop])

	t.Run("table is the jsonl sink's top pairs", func(t *testing.T) {
		assert.Equal(t, want[:web.DefaultFeedTop], b.Table())
	})
	t.Run("one node per host of the top pairs", func(t *testing.T) {
		assert.Equal(t, hostsOfRows(want[:web.DefaultFeedTop]), b.Nodes())
	})
	t.Run("health", func(t *testing.T) {
		assert.Equal(t, "0", browsertest.Eval[string](b, `document.getElementById('h-skipped').textContent`))
		assert.Equal(t, "exact", browsertest.Eval[string](b, `document.getElementById('h-approx').textContent`))
	})
	b.Screenshot(filepath.Join(t.TempDir(), "view.png"))

	browsertest.Eval[bool](b, `window.notReloaded = true`)
	hostile := make([]string, 1000)
	for i := range hostile {
		hostile[i] = fmt.Sprintf("%d 70.%06d %s → 10.20.0.1 TCP 1200 x", len(lines)+i+1, i, hostileSource)
	}
	produceLines(t, p, topic, hostile)
	want = waitPairs(t, jsonl, len(lines)+len(hostile))
	waitTable(t, b, want[:web.DefaultFeedTop])

	t.Run("page updates in place", func(t *testing.T) {
		assert.Equal(t, want[:web.DefaultFeedTop], b.Table())
		assert.True(t, browsertest.Eval[bool](b, `window.notReloaded === true`), "the page reloaded")
	})
	t.Run("hostile name is text", func(t *testing.T) {
		require.Equal(t, hostileSource, want[0].A)
		assert.Equal(t, hostileSource, browsertest.Eval[string](b, `document.querySelector('#rows tr td.a').textContent`))
		assert.True(t, browsertest.Eval[bool](b, `[...document.images].every(i => i.classList.contains('chart'))`), "an injected img")
		assert.Contains(t, b.Nodes(), hostileSource)
	})
	require.NoError(t, r.stop(t))
	b.Clean()
}

// produceLines produces each line as the file source does: a Connect JsonConverter envelope.
func produceLines(t *testing.T, p *kgo.Client, topic string, lines []string) {
	t.Helper()
	for _, line := range lines {
		payload, err := json.Marshal(line)
		require.NoError(t, err)
		env := `{"schema":{"type":"string","optional":false},"payload":` + string(payload) + `}`
		p.Produce(context.Background(), &kgo.Record{Topic: topic, Value: []byte(env)}, nil)
	}
	require.NoError(t, p.Flush(context.Background()))
}

// waitPairs waits until the jsonl sink wrote n tuples and returns their pairs with packets
// and bytes, ranked as the talkers engine ranks them: packets descending, then source and
// destination in byte order.
func waitPairs(t *testing.T, path string, n int) []browsertest.TableRow {
	t.Helper()
	var rows []browsertest.TableRow
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(path)
		if err != nil || bytes.Count(b, []byte("\n")) < n {
			return false
		}
		rows = pairsOf(b)
		return true
	}, 60*time.Second, 100*time.Millisecond, "the jsonl sink never wrote %d tuples", n)
	return rows
}

func pairsOf(jsonl []byte) []browsertest.TableRow {
	byPair := map[[2]string]*browsertest.TableRow{}
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	for sc.Scan() {
		var v struct {
			Src, Dst string
			Len      uint64
		}
		if json.Unmarshal(sc.Bytes(), &v) != nil {
			continue
		}
		r := byPair[[2]string{v.Src, v.Dst}]
		if r == nil {
			r = &browsertest.TableRow{A: v.Src, B: v.Dst}
			byPair[[2]string{v.Src, v.Dst}] = r
		}
		r.Packets++
		r.Bytes += v.Len
	}
	var rows []browsertest.TableRow
	for _, r := range byPair {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(x, y browsertest.TableRow) int {
		return cmp.Or(cmp.Compare(y.Packets, x.Packets), cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return rows
}

// waitTable waits until the page's table shows want's packets (the view catches up with the
// batches the sink already wrote).
func waitTable(t *testing.T, b *browsertest.Browser, want []browsertest.TableRow) {
	t.Helper()
	packets := make([]uint64, len(want))
	for i, r := range want {
		packets[i] = r.Packets
	}
	js, err := json.Marshal(packets)
	require.NoError(t, err)
	require.NoError(t, b.Poll(`JSON.stringify([...document.querySelectorAll('#rows td.packets')].map(c => Number(c.dataset.value))) === `+
		"'"+string(js)+"'"), "the table never showed %v", packets)
}

func hostsOfRows(rows []browsertest.TableRow) []string {
	var hosts []string
	for _, r := range rows {
		hosts = append(hosts, r.A, r.B)
	}
	slices.Sort(hosts)
	return slices.Compact(hosts)
}

// Issue 16 points 1 and 2: bridge demo's view, in chromium, once a whole round of the capture
// (or a whole window of it) is in its window: at least 20 pairs, and the top talkers by bytes are not the top talkers
// by packets. The screenshot is the README's picture.
func TestDemoViewScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	b := browsertest.New(t)
	speed := cmp.Or(os.Getenv(envDemoSpeed), "10")
	r := startCLI(t, "demo", "--speed", speed, "--ui", "127.0.0.1:0")
	var first string
	require.Eventually(t, func() bool {
		var complete bool
		first, _, complete = strings.Cut(r.stderr.String(), "\n")
		return complete
	}, 30*time.Second, 20*time.Millisecond)
	url, _, _ := strings.Cut(strings.TrimPrefix(first, "bridge demo: live view at "), " ")
	require.True(t, strings.HasPrefix(url, "http://"), first)

	b.Do(chromedp.Navigate(url))
	round := bytes.Count(bridge.DemoLog, []byte("\n"))
	var view struct {
		Seq     int
		Seconds float64 `json:"window_seconds"`
		Total   struct{ Packets int }
	}
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "view.json")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		// A round of the capture, or a whole window of it when a round is longer.
		return json.NewDecoder(resp.Body).Decode(&view) == nil &&
			(view.Total.Packets >= round || view.Seconds >= web.DefaultFeedWindow.Seconds())
	}, 3*time.Minute, 200*time.Millisecond, "the view never held a round of the capture")
	require.NoError(t, b.Poll(fmt.Sprintf(`Number(document.body.dataset.seq) >= %d`, view.Seq)))
	byPackets := b.Table()
	require.GreaterOrEqual(t, len(byPackets), 20, "at least 20 pairs")
	b.Do(chromedp.Click(chromedp.ID("by-bytes")))
	byBytes := b.Table()
	assert.NotEqual(t, byPackets[0], byBytes[0], "the top talker by bytes is the top talker by packets")
	b.Do(chromedp.Click(chromedp.ID("by-packets")))

	path := os.Getenv(envScreenshot)
	if path == "" {
		path = filepath.Join(t.TempDir(), "view.png")
	}
	b.Screenshot(path)
	require.NoError(t, r.stop(t))
	b.Clean()
}
