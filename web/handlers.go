package web

import (
	"net/http"
)

func (s *Server) viewJSON(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b := s.current.viewJSON
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if b == nil {
		b = []byte("null")
	}
	w.Write(b)
}

// chart serves one chart of the latest view, drawn at most once per view.
func (s *Server) chart(w http.ResponseWriter, r *http.Request) {
	measure := r.URL.Query().Get("by")
	if measure != MeasureBytes {
		measure = MeasurePackets
	}
	name := r.PathValue("name")
	key := name + "?" + measure
	s.mu.Lock()
	b, ok := s.charts[key]
	st := s.current
	s.mu.Unlock()
	if !ok {
		var err error
		switch name {
		case "rates.svg":
			b, err = rateChart(st.points, measure)
		case "protocols.svg":
			b, err = protocolChart(st.protocols, measure)
		default:
			http.NotFound(w, r)
			return
		}
		if err != nil {
			s.log.Error("web chart", "chart", name, "err", err)
			http.Error(w, "chart failed", http.StatusInternalServerError)
			return
		}
		s.mu.Lock()
		if s.current.seq == st.seq {
			s.charts[key] = b
		}
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// securityHeaders forbids inline script and any other origin: every string the page shows comes
// from log lines that anyone on the network can shape.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy is sent with every response of the view.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; " +
	"base-uri 'none'; form-action 'self'"
