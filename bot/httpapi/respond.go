package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// errorBody is every error response: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON writes v as the response. It encodes before writing, so a value
// that cannot be encoded becomes a clean 500.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		internalError(w, r, err)
		return
	}
	writeBody(w, status, "application/json; charset=utf-8", buf.Bytes())
}

// writeBody writes a complete response body of a known type.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	hdr.Set("X-Content-Type-Options", "nosniff")
	if hdr.Get("Cache-Control") == "" {
		hdr.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes {"error": msg} with status.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, r, status, errorBody{Error: msg})
}

// internalError answers 500 without details and hands err to the request's
// log line, the one place it is logged.
func internalError(w http.ResponseWriter, r *http.Request, err error) {
	stateOf(r).err = err
	body, _ := json.Marshal(errorBody{Error: "internal error"})
	writeBody(w, http.StatusInternalServerError, "application/json; charset=utf-8", append(body, '\n'))
}
