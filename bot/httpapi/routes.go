package httpapi

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// route is one endpoint of the API.
type route struct {
	method string // GET (which also answers HEAD), POST, PUT or DELETE
	path   string // a net/http ServeMux path pattern
	handle http.HandlerFunc
	// api routes are the /v1 ones: with API keys set they need one, and
	// they are rate-limited per client.
	api bool
	// index routes read the index and answer 503 until it is ready.
	index bool
	// json routes take a JSON body and act: they need Content-Type:
	// application/json (415 otherwise). A cross-site form or a plain fetch
	// from another site's page cannot send that type without a CORS
	// preflight, which only CORSOrigins pass.
	json bool
	// write routes change the corpus: they pass requireWrites.
	write bool
	// admin routes are the operators' view: they pass requireAdmin (an
	// API key where keys are set, loopback otherwise).
	admin bool
	// statuses is every status the route answers with. openapi.json
	// documents exactly these, and the tests check every response against
	// them.
	statuses []int
}

// pattern is the route's ServeMux pattern, also its name in logs and
// metrics.
func (rt route) pattern() string { return rt.method + " " + rt.path }

// routes lists every route the handler serves.
func (h *Handler) routes(reg *prometheus.Registry) []route {
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{h.log}})
	return []route{
		{method: "GET", path: "/{$}", handle: h.page, statuses: []int{200, 421, 500}},
		{method: "GET", path: "/assets/{name}", handle: h.asset, statuses: []int{200, 404, 421, 500}},
		{method: "GET", path: "/healthz", handle: h.healthz, statuses: []int{200, 421, 500}},
		{method: "GET", path: "/readyz", handle: h.readyz, statuses: []int{200, 421, 500, 503}},
		{method: "GET", path: "/metrics", handle: metrics.ServeHTTP, statuses: []int{200, 421, 500}},
		{method: "GET", path: "/openapi.json", handle: h.openAPI, statuses: []int{200, 421, 500}},
		{method: "GET", path: "/admin", handle: h.adminPage, admin: true, statuses: []int{200, 403, 421, 500}},

		{method: "POST", path: "/v1/ask", handle: h.askPost, api: true, index: true, json: true, statuses: []int{200, 400, 401, 404, 408, 413, 415, 421, 429, 500, 503}},
		{method: "GET", path: "/v1/ask", handle: h.askGet, api: true, index: true, statuses: []int{200, 400, 401, 404, 421, 429, 500, 503}},
		{method: "GET", path: "/v1/conversations/{id}", handle: h.conversation, api: true, statuses: []int{200, 401, 404, 421, 429, 500, 503}},
		{method: "POST", path: "/v1/feedback", handle: h.feedback, api: true, json: true, statuses: []int{204, 400, 401, 404, 408, 413, 415, 421, 429, 500, 503}},
		{method: "POST", path: "/v1/search", handle: h.search, api: true, index: true, json: true, statuses: []int{200, 400, 401, 408, 413, 415, 421, 429, 500, 503}},
		{method: "GET", path: "/v1/documents", handle: h.documents, api: true, index: true, statuses: []int{200, 401, 421, 429, 500, 503}},
		{method: "GET", path: "/v1/documents/{source...}", handle: h.document, api: true, index: true, statuses: []int{200, 401, 404, 421, 429, 500, 503}},
		{method: "POST", path: "/v1/documents", handle: h.documentAdd, api: true, index: true, write: true, statuses: []int{201, 400, 401, 403, 409, 413, 415, 421, 422, 429, 500, 503}},
		{method: "PUT", path: "/v1/documents/{source...}", handle: h.documentPut, api: true, index: true, write: true, statuses: []int{200, 201, 400, 401, 403, 404, 409, 413, 415, 421, 422, 429, 500, 503}},
		{method: "DELETE", path: "/v1/documents/{source...}", handle: h.documentDelete, api: true, index: true, write: true, statuses: []int{200, 400, 401, 403, 404, 421, 429, 500, 503}},
		{method: "POST", path: "/v1/reindex", handle: h.reindex, api: true, json: true, statuses: []int{200, 400, 401, 408, 413, 415, 421, 429, 500, 501, 503}},
		{method: "GET", path: "/v1/admin/recent", handle: h.adminRecent, api: true, admin: true, statuses: adminStatuses},
		{method: "GET", path: "/v1/admin/feedback", handle: h.adminFeedback, api: true, admin: true, statuses: adminStatuses},
		{method: "GET", path: "/v1/admin/declined-per-day", handle: h.adminDeclined, api: true, admin: true, statuses: adminStatuses},
	}
}

// adminStatuses are the statuses of the /v1/admin routes.
var adminStatuses = []int{200, 400, 401, 403, 421, 429, 500, 501, 503}

// register adds the routes to the muxes: each wrapped with what its kind
// needs, and for each path a handler that answers 405 to other methods. Any
// other request is 404.
func (h *Handler) register(reg *prometheus.Registry) {
	allowed := map[string][]string{} // by path
	var paths []string
	for _, rt := range h.routes(reg) {
		next := http.Handler(rt.handle)
		if rt.index {
			next = h.requireReady(next)
		}
		if rt.json {
			next = requireJSON(next)
		}
		if rt.write {
			next = h.requireWrites(next)
		}
		if rt.admin {
			next = h.requireAdmin(next)
		}
		if rt.api {
			next = h.guard(next)
		}
		h.mux.Handle(rt.pattern(), named(rt.pattern(), next))
		if allowed[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allowed[rt.path] = append(allowed[rt.path], http.MethodHead)
		}
	}
	for _, p := range paths {
		methods := allowed[p]
		slices.Sort(methods)
		allow := strings.Join(methods, ", ")
		h.paths.Handle(p, named("unmatched", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed; use "+allow)
		})))
	}
	unmatched := named("unmatched", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wrong, pattern := h.paths.Handler(r); pattern != "" {
			wrong.ServeHTTP(w, r)
			return
		}
		writeError(w, r, http.StatusNotFound, "no such route: "+r.URL.Path)
	}))
	h.mux.Handle("/", unmatched)
	// ServeMux redirects "DELETE /v1/documents" to "/v1/documents/", where
	// "DELETE /v1/documents/{source...}" matches an empty source; a method
	// a path's sub-tree takes but the path itself does not is answered 405
	// there instead.
	for _, p := range paths {
		base, ok := strings.CutSuffix(p, "/{source...}")
		if !ok || allowed[base] == nil {
			continue
		}
		for _, m := range allowed[p] {
			if !slices.Contains(allowed[base], m) {
				h.mux.Handle(m+" "+base, unmatched)
			}
		}
	}
}

// cleanPaths answers 404 to a path with empty, "." or ".." segments, which
// no route has, instead of ServeMux's redirect to the cleaned path: an API
// client gets a JSON error rather than a redirect it may not follow.
func (h *Handler) cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		clean := path.Clean("/" + p)
		if clean != "/" && strings.HasSuffix(p, "/") {
			clean += "/"
		}
		if clean != p {
			writeError(w, r, http.StatusNotFound, "no such route: "+p)
			return
		}
		next.ServeHTTP(w, r)
	})
}
