package metrics

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// Connector and task states, as Kafka Connect names them.
const (
	StateUnassigned = "UNASSIGNED"
	StateRunning    = "RUNNING"
	StateFailed     = "FAILED"
)

// Status is the state of a source as Kafka Connect's REST API reports a connector's: one
// connector with one task, both in the same state, since bridge runs them as one. Safe for
// concurrent use.
type Status struct {
	name     string
	workerID string
	info     ServerInfo

	mu    sync.Mutex
	state string
	trace string
}

// ServerInfo is what GET / answers, as a Connect worker's root resource.
type ServerInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

// NewStatus returns the status of the connector name on the worker workerID (host:port),
// UNASSIGNED until Running is called.
func NewStatus(name, workerID string, info ServerInfo) *Status {
	return &Status{name: name, workerID: workerID, info: info, state: StateUnassigned}
}

// Running marks the connector and its task RUNNING.
func (s *Status) Running() { s.set(StateRunning, "") }

// Failed marks the connector and its task FAILED, with err's text as the trace.
func (s *Status) Failed(err error) { s.set(StateFailed, err.Error()) }

func (s *Status) set(state, trace string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state, s.trace = state, trace
}

// StateInfo is a connector's or a task's state in Connect's JSON.
type StateInfo struct {
	ID       *int   `json:"id,omitempty"` // tasks only
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

// ConnectorStatus is Connect's GET /connectors/NAME/status body.
type ConnectorStatus struct {
	Name      string      `json:"name"`
	Connector StateInfo   `json:"connector"`
	Tasks     []StateInfo `json:"tasks"`
	Type      string      `json:"type"`
}

// Snapshot returns the status now.
func (s *Status) Snapshot() ConnectorStatus {
	s.mu.Lock()
	state, trace := s.state, s.trace
	s.mu.Unlock()
	id := 0
	return ConnectorStatus{
		Name:      s.name,
		Connector: StateInfo{State: state, WorkerID: s.workerID, Trace: trace},
		Tasks:     []StateInfo{{ID: &id, State: state, WorkerID: s.workerID, Trace: trace}},
		Type:      "source",
	}
}

// Register adds Connect's read-only status resources to mux: GET /, GET /health,
// GET /connectors (with ?expand=status), GET /connectors/NAME/status and
// GET /connectors/NAME/tasks/0/status. Any other path or method is answered with
// Connect's JSON error body, not net/http's plain text.
func (s *Status) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.info)
	})
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { noRoute(mux, w, r) })
	mux.HandleFunc("GET /connectors", s.list)
	mux.HandleFunc("GET /connectors/{name}/status", func(w http.ResponseWriter, r *http.Request) {
		if s.found(w, r) {
			writeJSON(w, http.StatusOK, s.Snapshot())
		}
	})
	mux.HandleFunc("GET /connectors/{name}/tasks/{task}/status", func(w http.ResponseWriter, r *http.Request) {
		if !s.found(w, r) {
			return
		}
		if r.PathValue("task") != "0" {
			connectError(w, http.StatusNotFound, fmt.Sprintf("No status found for task %s-%s", s.name, r.PathValue("task")))
			return
		}
		writeJSON(w, http.StatusOK, s.Snapshot().Tasks[0])
	})
}

// health answers GET /health as Connect's worker does (KIP-1017): 200 healthy once the
// source runs, 503 starting before, 500 unhealthy once it failed.
func (s *Status) health(w http.ResponseWriter, _ *http.Request) {
	st := s.Snapshot().Connector
	switch st.State {
	case StateRunning:
		writeJSON(w, http.StatusOK, healthBody{"healthy", "Worker has completed startup and is ready to handle requests."})
	case StateFailed:
		writeJSON(w, http.StatusInternalServerError, healthBody{"unhealthy", "Connector " + s.name + " has failed: " + st.Trace})
	default:
		writeJSON(w, http.StatusServiceUnavailable, healthBody{"starting", "Worker is still starting up."})
	}
}

// healthBody is Connect's GET /health body.
type healthBody struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// noRoute answers what no resource matched as Connect's Jersey does: 405 when the path
// exists for GET, else 404, each with Connect's JSON error body.
func noRoute(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		asGet := r.Clone(r.Context())
		asGet.Method = http.MethodGet
		if _, pattern := mux.Handler(asGet); pattern != "/" {
			w.Header().Set("Allow", "GET, HEAD")
			connectError(w, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed")
			return
		}
	}
	connectError(w, http.StatusNotFound, "HTTP 404 Not Found")
}

// list answers GET /connectors: the names, or with ?expand=status each one's status.
func (s *Status) list(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("expand") == "status" {
		writeJSON(w, http.StatusOK, map[string]any{s.name: map[string]any{"status": s.Snapshot()}})
		return
	}
	writeJSON(w, http.StatusOK, []string{s.name})
}

// found answers 404 as Connect does for any connector name but this one's.
func (s *Status) found(w http.ResponseWriter, r *http.Request) bool {
	if name := r.PathValue("name"); name != s.name {
		connectError(w, http.StatusNotFound, "No status found for connector "+name)
		return false
	}
	return true
}

// connectError writes Connect's error body.
func connectError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error_code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
