// Package httpapi is citebot's HTTP front end: a JSON API to ask questions,
// search passages and read indexed documents, health and readiness probes,
// Prometheus metrics, an OpenAPI description of itself, and a small web page
// to ask questions and read cited answers.
//
// Every route is listed in routes.go. The handler depends only on the small
// Index interface declared here, never on how the index is built or stored,
// and it never opens a file: a document is looked up in the index by its
// source name, so no request can read anything outside the corpus.
//
// Errors are JSON objects {"error": "..."} with a fitting status. Internal
// errors and panics are logged once, on the request's log line, which is the
// only line a request writes. Serve runs a handler with timeouts and shuts
// it down gracefully.
package httpapi
