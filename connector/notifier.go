package connector

import (
	"log/slog"
	"sync"

	"github.com/nxadm/tail/watch"
	"gopkg.in/tomb.v1"
)

// notifier wakes the tailer when its file may have changed or appeared. It uses nxadm/tail's
// watchers (inotify, or stat polling) for what they do well: noticing writes and waiting for a
// file to be created. Their verdicts are only hints: nxadm/tail reopens a renamed file before
// reading the old one to its end, and its truncation test (size below the last size seen)
// misses a file truncated and rewritten past that size between two events. The tailer therefore
// decides everything from its own fstat/stat/pread checks, and also looks every PollInterval,
// so a lost or late event costs latency, never a line.
//
// One subscription per file generation: nxadm/tail's shared inotify tracker keys watches by
// path, so a new subscription is only made after the old one ended by itself (Deleted), never
// right after cancelling one, which could race with its asynchronous removal.
type notifier struct {
	path string
	poll bool
	log  *slog.Logger
	wake chan struct{}

	mu       sync.Mutex
	fileTomb *tomb.Tomb // live ChangeEvents subscription, or nil
	makeTomb *tomb.Tomb // live BlockUntilExists, or nil
	closed   bool
	wg       sync.WaitGroup
}

func newNotifier(path string, poll bool, log *slog.Logger) *notifier {
	return &notifier{path: path, poll: poll, log: log, wake: make(chan struct{}, 1)}
}

func (n *notifier) watcher() watch.FileWatcher {
	if n.poll {
		return watch.NewPollingFileWatcher(n.path)
	}
	return watch.NewInotifyFileWatcher(n.path)
}

// C is signalled (coalesced) after a change.
func (n *notifier) C() <-chan struct{} { return n.wake }

func (n *notifier) signal() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// watchFile subscribes to changes of the file now at the path, unless a subscription is live.
func (n *notifier) watchFile(pos int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed || n.fileTomb != nil || n.makeTomb != nil {
		return
	}
	tb := new(tomb.Tomb)
	changes, err := n.watcher().ChangeEvents(tb, pos)
	if err != nil {
		n.log.Debug("file watch unavailable, polling", "file", n.path, "err", err)
		return
	}
	n.fileTomb = tb
	n.wg.Add(1)
	go n.forward(tb, changes)
}

func (n *notifier) forward(tb *tomb.Tomb, changes *watch.FileChanges) {
	defer n.wg.Done()
	for {
		select {
		case <-changes.Modified:
			n.signal()
		case <-changes.Truncated:
			n.signal()
		case <-changes.Deleted:
			// The watcher removed its watch before telling us, so a new subscription is safe.
			n.mu.Lock()
			n.fileTomb = nil
			n.mu.Unlock()
			n.signal()
			return
		case <-tb.Dying():
			return
		}
	}
}

// watchCreate waits in the background for the path to exist, unless already waiting.
func (n *notifier) watchCreate() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed || n.makeTomb != nil || n.fileTomb != nil {
		return
	}
	tb := new(tomb.Tomb)
	n.makeTomb = tb
	w := n.watcher()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		err := w.BlockUntilExists(tb)
		n.mu.Lock()
		n.makeTomb = nil
		n.mu.Unlock()
		if err == nil {
			n.signal()
		}
	}()
}

// close ends every subscription and waits for the goroutines it started.
func (n *notifier) close() {
	n.mu.Lock()
	n.closed = true
	for _, tb := range []*tomb.Tomb{n.fileTomb, n.makeTomb} {
		if tb != nil {
			tb.Kill(nil)
		}
	}
	n.mu.Unlock()
	n.wg.Wait()
}
