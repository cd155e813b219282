package web

import "sync"

// hub fans one encoded view out to every open page. Each subscriber holds at most the latest
// message: a page that reads slowly misses updates instead of making anyone wait or buffer.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	latest []byte // sent first to a page that opens between two updates
}

type subscriber struct {
	ch chan []byte // capacity 1: the latest message not yet written
}

func newHub() *hub {
	return &hub{subs: make(map[*subscriber]struct{})}
}

// subscribe registers a page; the current view, if any, is waiting in its mailbox already.
func (h *hub) subscribe() *subscriber {
	s := &subscriber{ch: make(chan []byte, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	if h.latest != nil {
		s.ch <- h.latest
	}
	return s
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// broadcast replaces every mailbox's content with msg; it never blocks.
func (h *hub) broadcast(msg []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.latest = msg
	for s := range h.subs {
		s.offer(msg)
	}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// offer is called under the hub's lock, so it is the only sender: after draining a stale
// message the second send always finds room.
func (s *subscriber) offer(msg []byte) {
	select {
	case s.ch <- msg:
		return
	default:
	}
	select {
	case <-s.ch:
	default:
	}
	select {
	case s.ch <- msg:
	default:
	}
}
