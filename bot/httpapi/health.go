package httpapi

import "net/http"

// status is the body of /healthz and /readyz.
type status struct {
	Status    string `json:"status"`
	Documents *int   `json:"documents,omitempty"`
	Chunks    *int   `json:"chunks,omitempty"`
}

// healthz answers 200 while the process serves at all.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, http.StatusOK, status{Status: "ok"})
}

// readyz answers 200 with the index's size once the index is loaded, 503
// before.
func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	if !h.opts.Ready() {
		stateOf(r).loading = true
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "the index is loading")
		return
	}
	docs, chunks := h.idx.Size()
	writeJSON(w, r, http.StatusOK, status{Status: "ready", Documents: &docs, Chunks: &chunks})
}
