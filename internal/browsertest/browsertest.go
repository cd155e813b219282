// Package browsertest drives Debian's chromium headless (through chromedp) for the tests of
// the live view: it opens a tab, records every console error and dialog the page produces,
// and reads back what the page shows. It is imported by _test.go files only.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timeout bounds one step in the browser.
const timeout = 30 * time.Second

// Browser is one headless chromium tab with everything the page said to its console and every
// dialog it tried to open.
type Browser struct {
	t       *testing.T
	Ctx     context.Context
	mu      sync.Mutex
	errors  []string
	dialogs []string
}

// Chromium finds Debian's chromium (or a Chrome) on this machine; "" when there is none.
func Chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts chromium for t, or skips t when the machine has none. It stops with the test.
func New(t *testing.T) *Browser {
	path := Chromium()
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

	b := &Browser{t: t, Ctx: ctx}
	b.dismissDialogs()
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

// dismissDialogs records and closes every dialog: an open one blocks the page.
func (b *Browser) dismissDialogs() {
	dialogs := make(chan struct{}, 16)
	require.NoError(b.t, chromedp.Listen(b.Ctx, func(ev any) {
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
	go func() {
		for range dialogs {
			chromedp.Do(b.Ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
				return chromedp.Void{}, err
			})
		}
	}()
}

// Do runs steps in the tab.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, steps...))
}

// Eval evaluates js in the page and returns its value.
func Eval[T any](b *Browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(b.t, err, js)
	return v
}

// Poll waits until js is true in the page and reports whether it became so.
func (b *Browser) Poll(js string) error {
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js))
	return err
}

// WaitSeq waits until the page drew view number seq.
func (b *Browser) WaitSeq(seq int) {
	b.t.Helper()
	require.NoError(b.t, b.Poll(fmt.Sprintf(`document.body.dataset.seq === "%d"`, seq)), "page never drew view %d", seq)
}

// Clean checks that the page opened no dialog and logged no console error.
func (b *Browser) Clean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(b.t, b.dialogs, "dialogs opened")
	assert.Empty(b.t, b.errors, "console errors")
}

// TableRow is one row of the page's top-talkers table as the page shows it.
type TableRow struct {
	A, B           string
	Packets, Bytes uint64
}

// ReadTable is the script that reads the table's rows.
const ReadTable = `[...document.querySelectorAll('#rows tr')].map(tr => ({
  A: tr.querySelector('td.a').textContent, B: tr.querySelector('td.b').textContent,
  Packets: Number(tr.querySelector('td.packets').dataset.value),
  Bytes: Number(tr.querySelector('td.bytes').dataset.value)}))`

// Table returns the table's rows.
func (b *Browser) Table() []TableRow {
	b.t.Helper()
	return Eval[[]TableRow](b, ReadTable)
}

// Nodes returns the hosts of the picture's nodes, sorted.
func (b *Browser) Nodes() []string {
	b.t.Helper()
	nodes := Eval[[]string](b, `[...document.querySelectorAll('#nodes g.node')].map(g => g.dataset.host)`)
	slices.Sort(nodes)
	return nodes
}

// Screenshot waits for the picture's nodes to reach their places and saves the whole page
// as a PNG (of 256 colours) at path.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	require.NoError(b.t, b.Poll(`document.getAnimations().length === 0`))
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	png, err = shrinkPNG(png)
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
	b.t.Logf("screenshot: %s", path)
}
