package httpapi

import (
	"fmt"
	"net/http"
	"time"
)

// reindex answers POST /v1/reindex: it brings the index up to date with the
// corpus now and reports what changed. Questions go on being answered from
// the index meanwhile.
func (h *Handler) reindex(w http.ResponseWriter, r *http.Request) {
	if h.opts.Reindex == nil {
		writeError(w, r, http.StatusNotImplemented, "reindexing is not enabled on this server")
		return
	}
	// A large corpus can take longer than the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	rep, err := h.opts.Reindex(r.Context())
	// Even a failed or cancelled reindex may have changed some documents.
	h.cache.invalidate()
	if err != nil {
		h.indexError(w, r, fmt.Errorf("reindex: %w", err))
		return
	}
	writeJSON(w, r, http.StatusOK, rep)
}
