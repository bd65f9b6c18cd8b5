package httpapi

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
)

// web holds the page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web
var web embed.FS

// pageCSP lets the page load only its own script and style and talk only to
// this server.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// page answers GET / with the question page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	h.serveFile(w, r, "index.html")
}

// asset answers GET /assets/{name} with the page's script and style.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "index.html" || path.Ext(name) != ".js" && path.Ext(name) != ".css" {
		writeError(w, r, http.StatusNotFound, "no such asset")
		return
	}
	h.serveFile(w, r, name)
}

func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	body, err := fs.ReadFile(web, "web/"+name)
	if err != nil {
		writeError(w, r, http.StatusNotFound, "no such asset")
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", pageCSP)
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Cache-Control", "no-cache")
	writeBody(w, http.StatusOK, contentTypes[path.Ext(name)], body)
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}
