package httpapi

import (
	"net/http"
	"strings"
)

// cors lets pages from the configured origins call the API from a browser.
// Credentials are bearer tokens, never cookies, so "*" is safe to offer.
type cors struct {
	any     bool
	origins map[string]bool
}

func newCORS(origins []string) *cors {
	c := &cors{origins: map[string]bool{}}
	for _, o := range origins {
		if o == "*" {
			c.any = true
		}
		c.origins[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return c
}

func (c *cors) allowed(origin string) bool {
	return c.any || c.origins[strings.ToLower(origin)]
}

// wrap adds CORS headers for allowed origins and answers their preflight
// requests. Requests from other origins get no CORS headers, so browsers
// withhold the response from their pages.
func (c *cors) wrap(next http.Handler) http.Handler {
	if len(c.origins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		hdr := w.Header()
		hdr.Add("Vary", "Origin")
		if !c.allowed(origin) {
			next.ServeHTTP(w, r)
			return
		}
		if c.any {
			hdr.Set("Access-Control-Allow-Origin", "*")
		} else {
			hdr.Set("Access-Control-Allow-Origin", origin)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			stateOf(r).route = "preflight"
			hdr.Add("Vary", "Access-Control-Request-Method")
			hdr.Add("Vary", "Access-Control-Request-Headers")
			hdr.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id, "+WriteHeader+", "+FilenameHeader)
			hdr.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		hdr.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		next.ServeHTTP(w, r)
	})
}
