// Package web serves bridge's live view of who talks to whom: a graph of the top talkers, the
// top-talkers table, rate and protocol charts and the stream's health, pushed to every open page
// over server-sent events at each batch. The stream hands it one Snapshot per batch through
// Publish, which never blocks; assets are embedded, so the view works offline.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var assetFS embed.FS

// shutdownTimeout bounds how long Serve waits for requests in flight once its context ends.
const shutdownTimeout = 5 * time.Second

// Server is the live view. Create it with New, feed it with Publish, run it with Run or Serve.
type Server struct {
	cfg   Config
	log   *slog.Logger
	auth  auth
	hub   *hub
	wake  chan struct{} // capacity 1: a snapshot is pending
	done  chan struct{} // closed when Serve stops: open event streams end
	close sync.Once

	mu      sync.Mutex
	pending *Snapshot // the latest snapshot not yet turned into a view
	current state     // the latest view, for charts and view.json
	charts  map[string][]byte
}

// state is what the view loop last built, shared with the chart and view.json handlers.
type state struct {
	seq       uint64
	viewJSON  []byte
	points    []point
	protocols []Protocol
}

// New checks cfg and reads the token file; a nil log discards.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tok, err := readToken(cfg.TokenFile)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg:    cfg.withDefaults(),
		log:    log,
		auth:   newAuth(tok, cfg.TLSCert != ""),
		hub:    newHub(),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		charts: make(map[string][]byte),
	}, nil
}

// Publish hands the view one window's answer. It copies s and returns at once: the work of
// building the view happens on the server's own goroutine, and a snapshot that arrives before
// the previous one was drawn replaces it.
func (s *Server) Publish(snap Snapshot) {
	snap = snap.clone()
	s.mu.Lock()
	s.pending = &snap
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run listens on the configured address and serves until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves the view on ln until ctx ends; it closes ln. It may be called once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	var wg sync.WaitGroup
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	wg.Go(func() { s.loop(loopCtx) })

	errc := make(chan error, 1)
	wg.Go(func() {
		if s.cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
			return
		}
		errc <- hs.Serve(ln)
	})
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	// Event streams end first: Shutdown waits for every handler, and theirs never finish.
	s.close.Do(func() { close(s.done) })
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if serr := hs.Shutdown(sctx); serr != nil && err == nil {
		err = fmt.Errorf("web shutdown: %w", serr)
	}
	stopLoop()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Handler is the view's HTTP handler, with auth and security headers.
func (s *Server) Handler() http.Handler {
	assets, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, assets, "index.html")
	})
	files := http.StripPrefix("/assets/", http.FileServerFS(assets))
	mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /view.json", s.viewJSON)
	mux.HandleFunc("GET /charts/{name}", s.chart)
	return securityHeaders(s.auth.wrap(mux))
}

// loop turns pending snapshots into views and pushes them to every page.
func (s *Server) loop(ctx context.Context) {
	var (
		seq  uint64
		lay  layouter
		hist = history{span: s.cfg.History}
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		snap := s.pending
		s.pending = nil
		s.mu.Unlock()
		if snap == nil {
			continue
		}
		seq++
		hist.add(*snap)
		b, err := json.Marshal(buildView(seq, *snap, &lay))
		if err != nil {
			s.log.Error("web view", "err", err)
			continue
		}
		s.mu.Lock()
		s.current = state{seq: seq, viewJSON: b, points: append([]point(nil), hist.points...),
			protocols: snap.Protocols}
		clear(s.charts)
		s.mu.Unlock()
		s.hub.broadcast(sseFrame("view", seq, b))
	}
}
