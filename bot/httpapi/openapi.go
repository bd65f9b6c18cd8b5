package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPISpec describes the API in OpenAPI 3. It is written by hand; a test
// checks that it lists exactly the routes of routes.go with exactly their
// statuses.
//
//go:embed openapi.json
var openAPISpec []byte

// openAPI answers GET /openapi.json.
func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	writeBody(w, http.StatusOK, "application/json; charset=utf-8", openAPISpec)
}
