package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// heartbeat keeps idle event streams open through proxies, and finds dead clients.
const heartbeat = 15 * time.Second

// sseFrame is one server-sent event; data must hold no newline (encoding/json writes none).
func sseFrame(event string, id uint64, data []byte) []byte {
	b := make([]byte, 0, len(data)+48)
	b = append(b, "event: "...)
	b = append(b, event...)
	b = append(b, "\nid: "...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

// events streams views to one page. Its mailbox holds only the latest view, and a write that
// does not finish within the write timeout drops the page: it reconnects when it reads again.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	sub := s.hub.subscribe()
	defer s.hub.unsubscribe(sub)
	write := func(b []byte) error {
		if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write([]byte("retry: 2000\n\n")); err != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case msg := <-sub.ch:
			err = write(msg)
		case <-tick.C:
			err = write([]byte(": ping\n\n"))
		}
		if err != nil {
			s.log.Debug("web client dropped", "remote", r.RemoteAddr, "err", fmt.Sprint(err))
			return
		}
	}
}
