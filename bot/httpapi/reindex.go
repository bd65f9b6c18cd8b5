package httpapi

import (
	"fmt"
	"net/http"
	"time"
)

// reindex answers POST /v1/reindex: it brings the index up to date with the
// corpus now and reports what changed. Questions go on being answered from
// the index meanwhile. Like the other POST routes it needs Content-Type:
// application/json, even with no body, so that no cross-site form or
// simple fetch can start one.
func (h *Handler) reindex(w http.ResponseWriter, r *http.Request) {
	if h.opts.Reindex == nil {
		writeError(w, r, http.StatusNotImplemented, "reindexing is not enabled on this server")
		return
	}
	// The body is optional; when there is one it must be an empty object.
	if r.ContentLength != 0 {
		var none struct{}
		if !decodeJSON(w, r, &none) {
			return
		}
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
