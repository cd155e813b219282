package web

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/browsertest"
)

var screenshotFlag = flag.String("screenshot", "", "write the browser test's screenshot (PNG) here "+
	"(default: $BRIDGE_WEB_SCREENSHOT, else a temporary directory)")

type tableRow = browsertest.TableRow

func rowsOf(rows []Row) []tableRow {
	out := make([]tableRow, len(rows))
	for i, r := range rows {
		out[i] = tableRow{A: r.A, B: r.B, Packets: r.Packets, Bytes: r.Bytes}
	}
	return out
}

func hostsOf(rows []Row) []string {
	var hosts []string
	for _, r := range rows {
		hosts = append(hosts, r.A)
		if r.B != "" {
			hosts = append(hosts, r.B)
		}
	}
	slices.Sort(hosts)
	return slices.Compact(hosts)
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestBrowserView(t *testing.T) {
	b := browsertest.New(t)
	srv, url := startServer(t, Config{})
	snap := officeSnapshot(50, 1, MeasurePackets)
	srv.Publish(snap)
	b.Do(chromedp.Navigate(url + "/"))
	b.WaitSeq(1)

	t.Run("table shows the snapshot's top keys", func(t *testing.T) {
		assert.Equal(t, rowsOf(snap.Rows), b.Table())
	})
	t.Run("one node per host and one edge per key", func(t *testing.T) {
		assert.Equal(t, hostsOf(snap.Rows), b.Nodes())
		assert.Equal(t, len(snap.Rows), browsertest.Eval[int](b, `document.querySelectorAll('#edges path').length`))
		assert.True(t, browsertest.Eval[bool](b, `[...document.querySelectorAll('#edges path')].every(l => l.getAttribute('marker-end') === 'url(#arrow)')`))
	})
	t.Run("hostile names are text", func(t *testing.T) {
		assert.Equal(t, hostileImg, browsertest.Eval[string](b, `document.querySelector('#rows tr td.a').textContent`))
		assert.Equal(t, hostileScript, browsertest.Eval[string](b, `document.querySelectorAll('#rows tr')[1].querySelector('td.b').textContent`))
		assert.True(t, browsertest.Eval[bool](b, `[...document.images].every(i => i.classList.contains('chart'))`), "an injected img")
		assert.Equal(t, 1, browsertest.Eval[int](b, `document.scripts.length`), "an injected script")
		assert.Equal(t, hostileImg, browsertest.Eval[string](b,
			`[...document.querySelectorAll('#nodes g.node')].find(g => g.dataset.host === `+js(hostileImg)+`).querySelector('text').textContent`))
	})
	t.Run("health and other", func(t *testing.T) {
		assert.Equal(t, "42 records", browsertest.Eval[string](b, `document.getElementById('h-lag').textContent`))
		assert.Equal(t, "3", browsertest.Eval[string](b, `document.getElementById('h-skipped').textContent`))
		assert.Equal(t, "exact", browsertest.Eval[string](b, `document.getElementById('h-approx').textContent`))
		assert.Equal(t, "Other (40 keys)", browsertest.Eval[string](b, `document.querySelector('#other .a').textContent`))
		assert.Equal(t, "1,234", browsertest.Eval[string](b, `document.querySelector('#other .packets').textContent`))
	})
	t.Run("sort by clicking headers", func(t *testing.T) {
		b.Do(chromedp.Click(chromedp.CSS(`th[data-sort="a"]`)))
		assert.True(t, browsertest.Eval[bool](b, `[...document.querySelectorAll('#rows td.a')].map(c => c.textContent)
		  .every((c, i, all) => i === 0 || all[i-1].localeCompare(c) <= 0)`), "sorted by source")
		b.Do(chromedp.Click(chromedp.CSS(`th[data-sort="bytes"]`)))
		assert.Equal(t, rowsOf(sortedBy(snap.Rows, MeasureBytes)), b.Table())
		b.Do(chromedp.Click(chromedp.CSS(`th[data-sort="bytes"]`)))
		asc := rowsOf(sortedBy(snap.Rows, MeasureBytes))
		slices.Reverse(asc)
		assert.Equal(t, slices.Collect(bytesOf(asc)), slices.Collect(bytesOf(b.Table())), "ascending")
	})
	t.Run("packets and bytes switch", func(t *testing.T) {
		b.Do(chromedp.Click(chromedp.ID("by-bytes")))
		assert.Equal(t, rowsOf(sortedBy(snap.Rows, MeasureBytes)), b.Table())
		top := sortedBy(snap.Rows, MeasureBytes)[0]
		assert.Equal(t, fmt.Sprintf("%.1f%%", 100*float64(top.Bytes)/float64(snap.TotalBytes)),
			browsertest.Eval[string](b, `document.querySelector('#rows td.share').textContent`))
		assert.Contains(t, browsertest.Eval[string](b, `document.getElementById('chart-protocols').src`), "by=bytes")
		b.Do(chromedp.Click(chromedp.ID("by-packets")))
		assert.Equal(t, rowsOf(snap.Rows), b.Table())
	})
	t.Run("filter by address", func(t *testing.T) {
		b.Do(chromedp.SendKeys(chromedp.ID("filter"), "198.51.100"))
		var want []Row
		for _, r := range snap.Rows {
			if strings.Contains(r.A, "198.51.100") || strings.Contains(r.B, "198.51.100") {
				want = append(want, r)
			}
		}
		require.NotEmpty(t, want)
		assert.Equal(t, rowsOf(want), b.Table())
		browsertest.Eval[bool](b, `(() => { const f = document.getElementById('filter'); f.value = '';
		  f.dispatchEvent(new Event('input')); return true })()`)
		assert.Len(t, b.Table(), len(snap.Rows))
	})
	t.Run("click a host shows its peers", func(t *testing.T) {
		b.Do(chromedp.Click(chromedp.CSS(`#rows tr td.a span`)))
		assert.Equal(t, hostileImg, browsertest.Eval[string](b, `document.getElementById('peers-host').textContent`))
		assert.Equal(t, peersOf(snap.Rows, hostileImg), browsertest.Eval[[]string](b,
			`[...document.querySelectorAll('#peers td.host')].map(c => c.textContent)`))
		const server = "10.0.0.10"
		browsertest.Eval[bool](b, `(() => { [...document.querySelectorAll('#nodes g.node')].find(g => g.dataset.host === `+js(server)+`)
		  .querySelector('circle').dispatchEvent(new MouseEvent('click', {bubbles: true})); return true })()`)
		assert.False(t, browsertest.Eval[bool](b, `document.getElementById('peers-panel').hidden`))
		assert.Equal(t, server, browsertest.Eval[string](b, `document.getElementById('peers-host').textContent`))
		assert.Equal(t, peersOf(snap.Rows, server), browsertest.Eval[[]string](b,
			`[...document.querySelectorAll('#peers td.host')].map(c => c.textContent)`))
		assert.Equal(t, server, browsertest.Eval[string](b, `document.querySelector('#nodes g.sel').dataset.host`))
		b.Do(chromedp.Click(chromedp.ID("peers-close")))
		assert.True(t, browsertest.Eval[bool](b, `document.getElementById('peers-panel').hidden`))
	})
	t.Run("updates in place", func(t *testing.T) {
		browsertest.Eval[bool](b, `window.notReloaded = true`)
		browsertest.Eval[bool](b, `(window.kept = [...document.querySelectorAll('#nodes g.node')].find(g => g.dataset.host === '10.0.0.10')) !== undefined`)
		next := officeSnapshot(50, 2, MeasurePackets)
		srv.Publish(next)
		b.WaitSeq(2)
		assert.Equal(t, rowsOf(next.Rows), b.Table())
		assert.Equal(t, hostsOf(next.Rows), b.Nodes(), "hosts that left the top keys left the picture")
		assert.True(t, browsertest.Eval[bool](b, `window.notReloaded === true`), "the page reloaded")
		assert.True(t, browsertest.Eval[bool](b, `window.kept.isConnected`), "a host's node was drawn anew, not moved")
	})
	t.Run("charts load", func(t *testing.T) {
		assert.NoError(t, b.Poll(`[...document.images].every(i => i.complete && i.naturalWidth > 0) && document.images.length === 3`))
	})
	writeScreenshot(t, b)
	b.Clean()
}

func TestBrowserToken(t *testing.T) {
	b := browsertest.New(t)
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("s3cret\n"), 0o600))
	srv, url := startServer(t, Config{TokenFile: tok})
	srv.Publish(officeSnapshot(10, 3, MeasureBytes))
	b.Do(chromedp.Navigate(url + "/?token=s3cret"))
	b.WaitSeq(1)
	loc := browsertest.Eval[string](b, `location.href`)
	assert.Equal(t, url+"/", loc, "the token stays in the URL")
	assert.Len(t, b.Table(), 10)
	assert.Empty(t, browsertest.Eval[string](b, `document.cookie`), "the session cookie is readable by scripts")
	b.Clean()
}

func sortedBy(rows []Row, measure string) []Row {
	out := slices.Clone(rows)
	rankRows(out, measure)
	return out
}

func bytesOf(rows []tableRow) func(func(uint64) bool) {
	return func(yield func(uint64) bool) {
		for _, r := range rows {
			if !yield(r.Bytes) {
				return
			}
		}
	}
}

func peersOf(rows []Row, host string) []string {
	var peers []string
	for _, r := range rows {
		switch host {
		case r.A:
			peers = append(peers, r.B)
		case r.B:
			peers = append(peers, r.A)
		}
	}
	return peers
}

// writeScreenshot saves the whole page as a PNG, for the README and for a reviewer's eyes.
func writeScreenshot(t *testing.T, b *browsertest.Browser) {
	path := *screenshotFlag
	if path == "" {
		path = os.Getenv("BRIDGE_WEB_SCREENSHOT")
	}
	if path == "" {
		path = filepath.Join(t.TempDir(), "view.png")
	}
	b.Screenshot(path)
}

func TestBrowserHostsApproximate(t *testing.T) {
	b := browsertest.New(t)
	srv, url := startServer(t, Config{})
	end := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	snap := Snapshot{
		WindowStart: end.Add(-time.Minute), WindowEnd: end, Kind: KindHost, Measure: MeasureBytes,
		Rows: []Row{
			{A: "203.0.113.5", Packets: 900, Bytes: 1_200_000, Approx: true, Error: 5000},
			{A: "192.0.2.9", Packets: 4000, Bytes: 300_000},
			{A: "2001:db8::1", Packets: 10, Bytes: 900},
		},
		TotalPackets: 5000, TotalBytes: 1_600_000, DistinctKeys: 3,
	}
	srv.Publish(snap)
	b.Do(chromedp.Navigate(url + "/"))
	b.WaitSeq(1)
	assert.Equal(t, rowsOf(snap.Rows), b.Table(), "ranked by bytes, as sent")
	assert.Equal(t, 3, browsertest.Eval[int](b, `document.querySelectorAll('#nodes g.node').length`))
	assert.Equal(t, 0, browsertest.Eval[int](b, `document.querySelectorAll('#edges path').length`))
	assert.Equal(t, "none", browsertest.Eval[string](b, `getComputedStyle(document.getElementById('th-b')).display`))
	assert.Equal(t, "≈ 1.20 MB", browsertest.Eval[string](b, `document.querySelector('#rows td.bytes').textContent`))
	assert.Contains(t, browsertest.Eval[string](b, `document.querySelector('#rows td.bytes').title`), "[1,195,000, 1,200,000]")
	assert.Equal(t, "≈ approximate", browsertest.Eval[string](b, `document.getElementById('h-approx').textContent`))
	b.Do(chromedp.Click(chromedp.ID("by-packets")))
	assert.Equal(t, "192.0.2.9", browsertest.Eval[string](b, `document.querySelector('#rows td.a').textContent`), "re-ranked by packets")
	b.Clean()
}
