// Package httpapi is citebot's HTTP front end: a JSON API to ask questions
// (in conversations, with follow-ups), vote on answers, search passages and
// read indexed documents, health and readiness probes, Prometheus metrics,
// an OpenAPI description of itself, a small web page to ask questions and
// read cited answers, and an operators' view (/admin) of what was asked,
// declined and voted down. Conversations and feedback go to the History it
// is given (history.go); answers never wait for it or fail with it.
//
// Every route is listed in routes.go. The handler depends only on the small
// Index interface declared here, never on how the index is built or stored,
// and it never opens a file: a document is looked up in the index by its
// source name, so no request can read anything outside the corpus.
//
// Nobody else drives it: every POST needs Content-Type: application/json,
// which another site's page cannot send without a CORS preflight (so no
// cross-site form or simple fetch asks or re-indexes); without API keys only
// requests for loopback names, the listen address and Options.AllowedHosts
// are answered (421 otherwise), against DNS rebinding. Serve caps
// connections in total and per client address, displacing idle keep-alive
// connections first, so that idle connections cannot exhaust the process's
// file descriptors.
//
// Errors are JSON objects {"error": "..."} with a fitting status, also
// those net/http answers by itself before any handler runs (conn.go).
// Internal errors and panics are logged once, on the request's log line,
// which is the only line a request writes. Serve runs a handler with
// timeouts and shuts it down gracefully.
package httpapi
