package web

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var screenshotFlag = flag.String("screenshot", "", "write the browser test's screenshot (PNG) here "+
	"(default: $BRIDGE_WEB_SCREENSHOT, else a temporary directory)")

// browser is one headless chromium tab with everything the page said to its console and every
// dialog it tried to open.
type browser struct {
	t       *testing.T
	ctx     context.Context
	mu      sync.Mutex
	errors  []string
	dialogs []string
}

// chromium finds Debian's chromium (or a Chrome) on this machine.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func newBrowser(t *testing.T) *browser {
	path := chromium()
	if path == "" {
		t.Skip("no chromium binary found (apt-get install chromium); the browser tests need one")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1440, 1000), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx), "start chromium")

	b := &browser{t: t, ctx: ctx}
	dialogs := make(chan struct{}, 16)
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			b.mu.Lock()
			b.dialogs = append(b.dialogs, string(d.Type)+": "+d.Message)
			b.mu.Unlock()
			select {
			case dialogs <- struct{}{}:
			default:
			}
		}
	}))
	go func() { // a dialog blocks the page until someone dismisses it
		for range dialogs {
			chromedp.Do(ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
				return chromedp.Void{}, err
			})
		}
	}()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" at "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, steps...))
}

func evalJS[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(b.t, err, js)
	return v
}

// waitSeq waits until the page drew view number seq.
func (b *browser) waitSeq(seq int) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.seq === "%d"`, seq)))
	require.NoError(b.t, err, "page never drew view %d", seq)
}

func (b *browser) clean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(b.t, b.dialogs, "dialogs opened")
	assert.Empty(b.t, b.errors, "console errors")
}

// tableRow is one row of the page's table as the page shows it.
type tableRow struct {
	A, B           string
	Packets, Bytes uint64
}

const readTable = `[...document.querySelectorAll('#rows tr')].map(tr => ({
  A: tr.querySelector('td.a').textContent, B: tr.querySelector('td.b').textContent,
  Packets: Number(tr.querySelector('td.packets').dataset.value),
  Bytes: Number(tr.querySelector('td.bytes').dataset.value)}))`

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
	b := newBrowser(t)
	srv, url := startServer(t, Config{})
	snap := officeSnapshot(50, 1, MeasurePackets)
	srv.Publish(snap)
	b.do(chromedp.Navigate(url + "/"))
	b.waitSeq(1)

	t.Run("table shows the snapshot's top keys", func(t *testing.T) {
		assert.Equal(t, rowsOf(snap.Rows), evalJS[[]tableRow](b, readTable))
	})
	t.Run("one node per host and one edge per key", func(t *testing.T) {
		nodes := evalJS[[]string](b, `[...document.querySelectorAll('#nodes g.node')].map(g => g.dataset.host)`)
		slices.Sort(nodes)
		assert.Equal(t, hostsOf(snap.Rows), nodes)
		assert.Equal(t, len(snap.Rows), evalJS[int](b, `document.querySelectorAll('#edges path').length`))
		assert.True(t, evalJS[bool](b, `[...document.querySelectorAll('#edges path')].every(l => l.getAttribute('marker-end') === 'url(#arrow)')`))
	})
	t.Run("hostile names are text", func(t *testing.T) {
		assert.Equal(t, hostileImg, evalJS[string](b, `document.querySelector('#rows tr td.a').textContent`))
		assert.Equal(t, hostileScript, evalJS[string](b, `document.querySelectorAll('#rows tr')[1].querySelector('td.b').textContent`))
		assert.True(t, evalJS[bool](b, `[...document.images].every(i => i.classList.contains('chart'))`), "an injected img")
		assert.Equal(t, 1, evalJS[int](b, `document.scripts.length`), "an injected script")
		assert.Equal(t, hostileImg, evalJS[string](b,
			`[...document.querySelectorAll('#nodes g.node')].find(g => g.dataset.host === `+js(hostileImg)+`).querySelector('text').textContent`))
	})
	t.Run("health and other", func(t *testing.T) {
		assert.Equal(t, "42 records", evalJS[string](b, `document.getElementById('h-lag').textContent`))
		assert.Equal(t, "3", evalJS[string](b, `document.getElementById('h-skipped').textContent`))
		assert.Equal(t, "exact", evalJS[string](b, `document.getElementById('h-approx').textContent`))
		assert.Equal(t, "Other (40 keys)", evalJS[string](b, `document.querySelector('#other .a').textContent`))
		assert.Equal(t, "1,234", evalJS[string](b, `document.querySelector('#other .packets').textContent`))
	})
	t.Run("sort by clicking headers", func(t *testing.T) {
		b.do(chromedp.Click(chromedp.CSS(`th[data-sort="a"]`)))
		assert.True(t, evalJS[bool](b, `[...document.querySelectorAll('#rows td.a')].map(c => c.textContent)
		  .every((c, i, all) => i === 0 || all[i-1].localeCompare(c) <= 0)`), "sorted by source")
		b.do(chromedp.Click(chromedp.CSS(`th[data-sort="bytes"]`)))
		assert.Equal(t, rowsOf(sortedBy(snap.Rows, MeasureBytes)), evalJS[[]tableRow](b, readTable))
		b.do(chromedp.Click(chromedp.CSS(`th[data-sort="bytes"]`)))
		asc := rowsOf(sortedBy(snap.Rows, MeasureBytes))
		slices.Reverse(asc)
		assert.Equal(t, slices.Collect(bytesOf(asc)), slices.Collect(bytesOf(evalJS[[]tableRow](b, readTable))), "ascending")
	})
	t.Run("packets and bytes switch", func(t *testing.T) {
		b.do(chromedp.Click(chromedp.ID("by-bytes")))
		assert.Equal(t, rowsOf(sortedBy(snap.Rows, MeasureBytes)), evalJS[[]tableRow](b, readTable))
		top := sortedBy(snap.Rows, MeasureBytes)[0]
		assert.Equal(t, fmt.Sprintf("%.1f%%", 100*float64(top.Bytes)/float64(snap.TotalBytes)),
			evalJS[string](b, `document.querySelector('#rows td.share').textContent`))
		assert.Contains(t, evalJS[string](b, `document.getElementById('chart-protocols').src`), "by=bytes")
		b.do(chromedp.Click(chromedp.ID("by-packets")))
		assert.Equal(t, rowsOf(snap.Rows), evalJS[[]tableRow](b, readTable))
	})
	t.Run("filter by address", func(t *testing.T) {
		b.do(chromedp.SendKeys(chromedp.ID("filter"), "198.51.100"))
		var want []Row
		for _, r := range snap.Rows {
			if strings.Contains(r.A, "198.51.100") || strings.Contains(r.B, "198.51.100") {
				want = append(want, r)
			}
		}
		require.NotEmpty(t, want)
		assert.Equal(t, rowsOf(want), evalJS[[]tableRow](b, readTable))
		evalJS[bool](b, `(() => { const f = document.getElementById('filter'); f.value = '';
		  f.dispatchEvent(new Event('input')); return true })()`)
		assert.Len(t, evalJS[[]tableRow](b, readTable), len(snap.Rows))
	})
	t.Run("click a host shows its peers", func(t *testing.T) {
		b.do(chromedp.Click(chromedp.CSS(`#rows tr td.a span`)))
		assert.Equal(t, hostileImg, evalJS[string](b, `document.getElementById('peers-host').textContent`))
		assert.Equal(t, peersOf(snap.Rows, hostileImg), evalJS[[]string](b,
			`[...document.querySelectorAll('#peers td.host')].map(c => c.textContent)`))
		const server = "10.0.0.10"
		evalJS[bool](b, `(() => { [...document.querySelectorAll('#nodes g.node')].find(g => g.dataset.host === `+js(server)+`)
		  .querySelector('circle').dispatchEvent(new MouseEvent('click', {bubbles: true})); return true })()`)
		assert.False(t, evalJS[bool](b, `document.getElementById('peers-panel').hidden`))
		assert.Equal(t, server, evalJS[string](b, `document.getElementById('peers-host').textContent`))
		assert.Equal(t, peersOf(snap.Rows, server), evalJS[[]string](b,
			`[...document.querySelectorAll('#peers td.host')].map(c => c.textContent)`))
		assert.Equal(t, server, evalJS[string](b, `document.querySelector('#nodes g.sel').dataset.host`))
		b.do(chromedp.Click(chromedp.ID("peers-close")))
		assert.True(t, evalJS[bool](b, `document.getElementById('peers-panel').hidden`))
	})
	t.Run("updates in place", func(t *testing.T) {
		evalJS[bool](b, `window.notReloaded = true`)
		evalJS[bool](b, `(window.kept = [...document.querySelectorAll('#nodes g.node')].find(g => g.dataset.host === '10.0.0.10')) !== undefined`)
		next := officeSnapshot(50, 2, MeasurePackets)
		srv.Publish(next)
		b.waitSeq(2)
		assert.Equal(t, rowsOf(next.Rows), evalJS[[]tableRow](b, readTable))
		nodes := evalJS[[]string](b, `[...document.querySelectorAll('#nodes g.node')].map(g => g.dataset.host)`)
		slices.Sort(nodes)
		assert.Equal(t, hostsOf(next.Rows), nodes, "hosts that left the top keys left the picture")
		assert.True(t, evalJS[bool](b, `window.notReloaded === true`), "the page reloaded")
		assert.True(t, evalJS[bool](b, `window.kept.isConnected`), "a host's node was drawn anew, not moved")
	})
	t.Run("charts load", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		defer cancel()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](
			`[...document.images].every(i => i.complete && i.naturalWidth > 0) && document.images.length === 3`))
		assert.NoError(t, err)
	})
	// Let the nodes glide to their places before the picture is taken.
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getAnimations().length === 0`))
	require.NoError(t, err)
	writeScreenshot(t, b)
	b.clean()
}

func TestBrowserToken(t *testing.T) {
	b := newBrowser(t)
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("s3cret\n"), 0o600))
	srv, url := startServer(t, Config{TokenFile: tok})
	srv.Publish(officeSnapshot(10, 3, MeasureBytes))
	b.do(chromedp.Navigate(url + "/?token=s3cret"))
	b.waitSeq(1)
	loc := evalJS[string](b, `location.href`)
	assert.Equal(t, url+"/", loc, "the token stays in the URL")
	assert.Len(t, evalJS[[]tableRow](b, readTable), 10)
	assert.Empty(t, evalJS[string](b, `document.cookie`), "the session cookie is readable by scripts")
	b.clean()
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
func writeScreenshot(t *testing.T, b *browser) {
	path := *screenshotFlag
	if path == "" {
		path = os.Getenv("BRIDGE_WEB_SCREENSHOT")
	}
	if path == "" {
		path = filepath.Join(t.TempDir(), "view.png")
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

func TestBrowserHostsApproximate(t *testing.T) {
	b := newBrowser(t)
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
	b.do(chromedp.Navigate(url + "/"))
	b.waitSeq(1)
	assert.Equal(t, rowsOf(snap.Rows), evalJS[[]tableRow](b, readTable), "ranked by bytes, as sent")
	assert.Equal(t, 3, evalJS[int](b, `document.querySelectorAll('#nodes g.node').length`))
	assert.Equal(t, 0, evalJS[int](b, `document.querySelectorAll('#edges path').length`))
	assert.Equal(t, "none", evalJS[string](b, `getComputedStyle(document.getElementById('th-b')).display`))
	assert.Equal(t, "≈ 1.20 MB", evalJS[string](b, `document.querySelector('#rows td.bytes').textContent`))
	assert.Contains(t, evalJS[string](b, `document.querySelector('#rows td.bytes').title`), "[1,195,000, 1,200,000]")
	assert.Equal(t, "≈ approximate", evalJS[string](b, `document.getElementById('h-approx').textContent`))
	b.do(chromedp.Click(chromedp.ID("by-packets")))
	assert.Equal(t, "192.0.2.9", evalJS[string](b, `document.querySelector('#rows td.a').textContent`), "re-ranked by packets")
	b.clean()
}
