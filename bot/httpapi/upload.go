package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/corpusdir"
)

// WriteHeader must be sent, with the value "1", on every request that
// adds, replaces or removes a document. A cross-site form can post a file
// (multipart/form-data is a "simple" request, sent without a CORS
// preflight) but cannot set a header, so a page on another site cannot
// write to the corpus of a server without API keys on the user's machine.
const WriteHeader = "X-Citebot-Write"

// FilenameHeader names the file of a raw-body POST /v1/documents (also
// ?name=).
const FilenameHeader = "X-Filename"

// DefaultMaxFileBytes bounds an uploaded file when Options.MaxFileBytes is
// 0; it is the index's own default.
const DefaultMaxFileBytes = 64 << 20

// multipartSlack is what a multipart body may hold besides the file: the
// boundaries, the part headers and small fields.
const multipartSlack = 64 << 10

// uploadReadTime is how long an upload's body may take to arrive, in
// place of the server's ReadTimeout (made for small JSON bodies).
const uploadReadTime = 10 * time.Minute

// requireWrites lets a write through only when the server takes writes,
// from a client allowed to make them, with WriteHeader set. It runs after
// guard, so with API keys the key has been checked.
func (h *Handler) requireWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !h.opts.AllowWrites:
			writeError(w, r, http.StatusForbidden, "this server does not take writes (http.allow_writes is off)")
		case len(h.opts.APIKeys) == 0 && !loopbackClient(r):
			writeError(w, r, http.StatusForbidden, "without API keys, writes are taken only from this machine (loopback)")
		case r.Header.Get(WriteHeader) != "1":
			writeError(w, r, http.StatusForbidden, "send the header "+WriteHeader+": 1 with every write")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// loopbackClient reports whether the connection came from this machine.
func loopbackClient(r *http.Request) bool {
	ip := net.ParseIP(clientIP(r))
	return ip != nil && ip.IsLoopback()
}

// documentAdd answers POST /v1/documents: a multipart form whose "file"
// field is the document, or a raw body named by X-Filename or ?name=. An
// existing file of that name is 409 (PUT replaces).
func (h *Handler) documentAdd(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxFileBytes+multipartSlack)
		name, file, err := formFile(r)
		if err != nil {
			h.writeFailed(w, r, err)
			return
		}
		h.store(w, r, name, file, false, h.opts.MaxFileBytes+multipartSlack)
		return
	}
	name := r.Header.Get(FilenameHeader)
	if name == "" {
		name = r.URL.Query().Get("name")
	}
	if name == "" {
		writeError(w, r, http.StatusBadRequest, "name the file: send a multipart form with a file field, or the header "+FilenameHeader+" or ?name=")
		return
	}
	h.store(w, r, name, h.rawBody(w, r), false, h.opts.MaxFileBytes)
}

// documentPut answers PUT /v1/documents/{source}: the raw body becomes the
// file, replacing one of that name.
func (h *Handler) documentPut(w http.ResponseWriter, r *http.Request) {
	h.store(w, r, r.PathValue("source"), h.rawBody(w, r), true, h.opts.MaxFileBytes)
}

// documentDelete answers DELETE /v1/documents/{source}: the file leaves the
// corpus and its chunks the index. The reply is the document as it was.
func (h *Handler) documentDelete(w http.ResponseWriter, r *http.Request) {
	source := r.PathValue("source")
	info, _ := h.info(source)
	if err := h.opts.corpus.Remove(source); err != nil {
		h.writeFailed(w, r, err)
		return
	}
	if _, err := h.syncAfterWrite(w, r); err != nil {
		h.indexError(w, r, fmt.Errorf("index after removing %s: %w", source, err))
		return
	}
	info.Source = source
	writeJSON(w, r, http.StatusOK, info)
}

// rawBody is the request's body bounded to one file's size.
func (h *Handler) rawBody(w http.ResponseWriter, r *http.Request) io.Reader {
	return http.MaxBytesReader(w, r.Body, h.opts.MaxFileBytes)
}

// formFile finds the "file" part of a multipart form. Its file name is
// taken as sent, not reduced to its last element as net/http does, so
// that a path is refused rather than silently renamed.
func formFile(r *http.Request) (string, io.Reader, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", errBadForm, err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, fmt.Errorf("%w: no file field", errBadForm)
		}
		if err != nil {
			return "", nil, fmt.Errorf("%w: %w", errBadForm, err)
		}
		if p.FormName() != "file" {
			continue
		}
		_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if err != nil || params["filename"] == "" {
			return "", nil, fmt.Errorf("%w: the file field has no file name", errBadForm)
		}
		return params["filename"], p, nil
	}
}

var errBadForm = errors.New("bad multipart form")

// store writes the file, indexes it and answers with the document. A
// body declared longer than limit is refused before it is read.
func (h *Handler) store(w http.ResponseWriter, r *http.Request, name string, body io.Reader, replace bool, limit int64) {
	if r.ContentLength > limit {
		writeError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over %d bytes", h.opts.MaxFileBytes))
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTime))
	created, err := h.opts.corpus.Write(name, body, replace)
	if err != nil {
		h.writeFailed(w, r, err)
		return
	}
	rep, err := h.syncAfterWrite(w, r)
	if err != nil {
		h.indexError(w, r, fmt.Errorf("index after writing %s: %w", name, err))
		return
	}
	if info, ok := h.info(name); ok {
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, r, status, info)
		return
	}
	reason := "it is not in the index"
	for _, s := range rep.Skipped {
		if s.Source == name {
			reason = s.Reason
		}
	}
	writeError(w, r, http.StatusUnprocessableEntity, "the file was saved but could not be indexed: "+reason)
}

// syncAfterWrite brings the index up to date with the written corpus. It
// goes on when the client leaves: the file is written and should be
// answerable.
func (h *Handler) syncAfterWrite(w http.ResponseWriter, r *http.Request) (rag.SyncReport, error) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	rep, err := h.opts.Reindex(context.WithoutCancel(r.Context()))
	h.cache.invalidate()
	return rep, err
}

// info returns the indexed document with this source.
func (h *Handler) info(source string) (rag.DocumentInfo, bool) {
	for _, d := range h.idx.Documents() {
		if d.Source == source {
			return d, true
		}
	}
	return rag.DocumentInfo{}, false
}

// writeFailed answers a failed write with the status its cause calls for.
func (h *Handler) writeFailed(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge), errors.Is(err, corpusdir.ErrTooLarge):
		writeError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over %d bytes", h.opts.MaxFileBytes))
	case errors.Is(err, corpusdir.ErrBadName), errors.Is(err, errBadForm):
		writeError(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, corpusdir.ErrUnsupported):
		writeError(w, r, http.StatusUnsupportedMediaType, err.Error()+"; no loader reads files of this type")
	case errors.Is(err, corpusdir.ErrExists):
		writeError(w, r, http.StatusConflict, err.Error()+"; PUT /v1/documents/{source} replaces it")
	case errors.Is(err, corpusdir.ErrNotFound):
		writeError(w, r, http.StatusNotFound, err.Error())
	default:
		internalError(w, r, err)
	}
}
