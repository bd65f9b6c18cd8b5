package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/rag"
)

// A document the test corpus does not hold, and a question only it
// answers.
const (
	heronsDoc      = "herons.md"
	heronsText     = "# Quarry Lake survey\n\nThe ranger at Quarry Lake counted 287 nesting herons in the spring of 1931.\n"
	heronsQuestion = "How many nesting herons did the ranger at Quarry Lake count?"
)

// testMaxFileBytes bounds uploads in these tests.
const testMaxFileBytes = 4096

// testSupports takes the types the tests' loader reads.
func testSupports(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".html", ".pdf":
		return true
	}
	return false
}

// writeServer is a real HTTP server over a writable copy of the test
// corpus, with writes allowed unless o.AllowWrites is changed by edit.
type writeServer struct {
	*httptest.Server
	dir string
	h   *Handler
}

func newWriteServer(t *testing.T, edit func(*Options)) writeServer {
	t.Helper()
	dir := testCorpus(t)
	idx := newIndex(t, dir)
	o := Options{
		AllowWrites:  true,
		Corpus:       dir,
		Supports:     testSupports,
		MaxFileBytes: testMaxFileBytes,
		Reindex:      func(ctx context.Context) (rag.SyncReport, error) { return idx.Sync(ctx, dir, nil) },
	}
	if edit != nil {
		edit(&o)
	}
	h := newHandler(t, idx, o)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return writeServer{srv, dir, h}
}

// send makes one request to the server and checks the response against its
// route's contract. header values of "" are left out; without a
// WriteHeader key it is sent as "1".
func (s writeServer) send(t *testing.T, method, target string, body io.Reader, header map[string]string) (int, []byte) {
	t.Helper()
	r, err := http.NewRequest(method, s.URL+target, body)
	if err != nil {
		t.Fatal(err)
	}
	if _, set := header[WriteHeader]; !set {
		r.Header.Set(WriteHeader, "1")
	}
	for k, v := range header {
		if v != "" {
			r.Header.Set(k, v)
		}
	}
	resp, err := s.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, s.h, r, resp.StatusCode, resp.Header, b, false)
	return resp.StatusCode, b
}

// upload posts content as a multipart form's file field named name.
func (s writeServer) upload(t *testing.T, name, content string, header map[string]string) (int, []byte) {
	t.Helper()
	body, ct := multipartBody(t, name, content)
	if header == nil {
		header = map[string]string{}
	}
	header["Content-Type"] = ct
	return s.send(t, "POST", "/v1/documents", body, header)
}

func multipartBody(t *testing.T, name, content string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	// CreateFormFile escapes quotes and backslashes only, as browsers do;
	// the name is sent as given.
	part, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(part, content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// ask returns the sources the answer to q cites.
func (s writeServer) ask(t *testing.T, q string) (rag.Answer, []string) {
	t.Helper()
	resp, err := s.Client().Get(s.URL + "/v1/ask?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans rag.Answer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	var cited []string
	for _, c := range ans.Citations {
		cited = append(cited, c.Source)
	}
	return ans, cited
}

func decodeInfo(t *testing.T, b []byte) rag.DocumentInfo {
	t.Helper()
	var d rag.DocumentInfo
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return d
}

// Upload, ask, replace, ask, remove, ask: each answer comes from the
// corpus as the last write left it.
func TestUploadAskReplaceDelete(t *testing.T) {
	s := newWriteServer(t, nil)
	if _, cited := s.ask(t, heronsQuestion); strings.Contains(strings.Join(cited, " "), heronsDoc) {
		t.Fatalf("cited %v before the upload", cited)
	}

	code, b := s.upload(t, heronsDoc, heronsText, nil)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, b)
	}
	if d := decodeInfo(t, b); d.Source != heronsDoc || d.Title != "Quarry Lake survey" || d.Chunks < 1 {
		t.Errorf("upload answered %+v", d)
	}
	ans, cited := s.ask(t, heronsQuestion)
	if !ans.Grounded || len(cited) == 0 || cited[0] != heronsDoc || !strings.Contains(ans.Answer, "287") {
		t.Errorf("after upload: %q citing %v", ans.Answer, cited)
	}

	code, b = s.upload(t, heronsDoc, heronsText, nil)
	if code != http.StatusConflict {
		t.Errorf("second upload: %d %s, want 409", code, b)
	}

	replaced := strings.Replace(heronsText, "287", "913", 1)
	code, b = s.send(t, "PUT", "/v1/documents/"+heronsDoc, strings.NewReader(replaced), nil)
	if code != http.StatusOK {
		t.Fatalf("put: %d %s", code, b)
	}
	ans, cited = s.ask(t, heronsQuestion)
	if !ans.Grounded || len(cited) == 0 || cited[0] != heronsDoc || !strings.Contains(ans.Answer, "913") || strings.Contains(ans.Answer, "287") {
		t.Errorf("after put: %q citing %v", ans.Answer, cited)
	}

	code, b = s.send(t, "DELETE", "/v1/documents/"+heronsDoc, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("delete: %d %s", code, b)
	}
	if d := decodeInfo(t, b); d.Source != heronsDoc || d.Chunks < 1 {
		t.Errorf("delete answered %+v", d)
	}
	if _, err := os.Stat(filepath.Join(s.dir, heronsDoc)); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
	if _, cited := s.ask(t, heronsQuestion); strings.Contains(strings.Join(cited, " "), heronsDoc) {
		t.Errorf("after delete the answer still cites %v", cited)
	}
	code, _ = s.send(t, "DELETE", "/v1/documents/"+heronsDoc, nil, nil)
	if code != http.StatusNotFound {
		t.Errorf("second delete: %d, want 404", code)
	}
}

// A raw body is named by X-Filename or ?name=; PUT of a new name creates.
func TestUploadRaw(t *testing.T) {
	s := newWriteServer(t, nil)
	for _, tt := range []struct {
		method, target string
		header         map[string]string
		want           int
		source         string
	}{
		{"POST", "/v1/documents", map[string]string{FilenameHeader: "a.txt", "Content-Type": "text/plain"}, 201, "a.txt"},
		{"POST", "/v1/documents?name=b.md", map[string]string{"Content-Type": "application/octet-stream"}, 201, "b.md"},
		{"POST", "/v1/documents?name=" + url.QueryEscape("Relevé d'été.txt"), nil, 201, "Relevé d'été.txt"},
		{"PUT", "/v1/documents/c.txt", nil, 201, "c.txt"},
		{"PUT", "/v1/documents/c.txt", nil, 200, "c.txt"},
		{"POST", "/v1/documents", map[string]string{"Content-Type": "text/plain"}, 400, ""},
	} {
		code, b := s.send(t, tt.method, tt.target, strings.NewReader("The gatehouse clock was wound every Sunday at noon."), tt.header)
		if code != tt.want {
			t.Errorf("%s %s: %d %s, want %d", tt.method, tt.target, code, b, tt.want)
			continue
		}
		if tt.source != "" {
			if d := decodeInfo(t, b); d.Source != tt.source || d.Chunks < 1 {
				t.Errorf("%s %s answered %+v", tt.method, tt.target, d)
			}
		}
	}
}

// Names that are not a plain file name at the corpus's top level are
// refused, and nothing is written anywhere.
func TestUploadNames(t *testing.T) {
	s := newWriteServer(t, nil)
	outside := filepath.Dir(s.dir)
	before, _ := os.ReadDir(outside)
	names := []string{"../x.txt", "a/b.txt", `a\b.txt`, "..", ".", ".hidden.txt", "nul\x00.txt", "new\nline.txt",
		"/etc/x.txt", filepath.Join(outside, "abs.txt"), "a%2Fb.txt", "..%2Fx.txt", " x.txt", strings.Repeat("n", 300) + ".txt"}
	for _, name := range names {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			// As a multipart file name (Go's FileName would have kept only
			// the last element), as X-Filename and as ?name=.
			if code, b := s.upload(t, name, "text", nil); code != http.StatusBadRequest {
				t.Errorf("multipart: %d %s", code, b)
			}
			// Not valid header values, or (leading space) trimmed by HTTP.
			if !strings.ContainsAny(name, "\x00\n") && !strings.HasPrefix(name, " ") {
				if code, b := s.send(t, "POST", "/v1/documents", strings.NewReader("text"), map[string]string{FilenameHeader: name}); code != http.StatusBadRequest {
					t.Errorf("header: %d %s", code, b)
				}
			}
			if code, b := s.send(t, "POST", "/v1/documents?name="+url.QueryEscape(name), strings.NewReader("text"), nil); code != http.StatusBadRequest {
				t.Errorf("query: %d %s", code, b)
			}
		})
	}
	// In the path of PUT and DELETE, escaped or not: refused (400) or no
	// route (404, for a path with ".." segments).
	for _, p := range []string{"..%2Fx.txt", "a%2Fb.txt", "field/notes.md", "field%2Fnotes.md", "%2E%2E", ".hidden.txt", "nul%00.txt", "new%0Aline.txt", "%2Fetc%2Fx.txt", "../x.txt", "..", ""} {
		for _, m := range []string{"PUT", "DELETE"} {
			code, b := s.send(t, m, "/v1/documents/"+p, strings.NewReader("text"), nil)
			if code != http.StatusBadRequest && code != http.StatusNotFound {
				t.Errorf("%s %s: %d %s", m, p, code, b)
			}
		}
	}
	// A directory of the corpus is neither replaced nor removed.
	if code, b := s.send(t, "PUT", "/v1/documents/field", strings.NewReader("text"), nil); code != http.StatusUnsupportedMediaType {
		t.Errorf("PUT over a directory without an extension: %d %s", code, b)
	}
	if err := os.Mkdir(filepath.Join(s.dir, "dir.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, b := s.send(t, "PUT", "/v1/documents/dir.txt", strings.NewReader("text"), nil); code != http.StatusConflict {
		t.Errorf("PUT over a directory: %d %s", code, b)
	}
	if code, b := s.send(t, "DELETE", "/v1/documents/dir.txt", nil, nil); code != http.StatusNotFound {
		t.Errorf("DELETE of a directory: %d %s", code, b)
	}
	after, _ := os.ReadDir(outside)
	if len(after) != len(before) {
		t.Errorf("a file was written beside the corpus: %v", after)
	}
	if _, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(notesDoc))); err != nil {
		t.Errorf("a nested document was touched: %v", err)
	}
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.Contains(e.Name(), "x.txt") {
			t.Errorf("left in the corpus: %q", e.Name())
		}
	}
}

// Sizes and types: over max_file_bytes is 413 whether or not the length is
// announced; a type no loader reads is 415.
func TestUploadSizeAndType(t *testing.T) {
	s := newWriteServer(t, nil)
	big := strings.Repeat("word ", testMaxFileBytes/5+1)
	if code, b := s.upload(t, "big.txt", big, nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("multipart over the limit: %d %s", code, b)
	}
	if code, b := s.send(t, "PUT", "/v1/documents/big.txt", strings.NewReader(big), nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("put over the limit: %d %s", code, b)
	}
	// io.MultiReader hides the length: the body is sent chunked.
	if code, b := s.send(t, "PUT", "/v1/documents/big.txt", io.MultiReader(strings.NewReader(big)), nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked put over the limit: %d %s", code, b)
	}
	exact := strings.Repeat("a", testMaxFileBytes)
	if code, b := s.send(t, "PUT", "/v1/documents/exact.txt", strings.NewReader(exact), nil); code != http.StatusCreated && code != http.StatusUnprocessableEntity {
		t.Errorf("put at the limit: %d %s", code, b)
	}
	for _, name := range []string{"tool.exe", "noext", "page.php"} {
		if code, b := s.upload(t, name, "text", nil); code != http.StatusUnsupportedMediaType {
			t.Errorf("%s: %d %s", name, code, b)
		}
	}
	if _, err := os.Stat(filepath.Join(s.dir, "big.txt")); !os.IsNotExist(err) {
		t.Errorf("big.txt written: %v", err)
	}
	if code, b := s.send(t, "POST", "/v1/documents", strings.NewReader("--x\r\n"), map[string]string{"Content-Type": "multipart/form-data; boundary=x"}); code != http.StatusBadRequest {
		t.Errorf("malformed form: %d %s", code, b)
	}
}

// Who may write: only with writes on, the write header, a key when keys
// are set, and from loopback when they are not. JSON-only POST routes
// stay JSON-only.
func TestUploadRefused(t *testing.T) {
	t.Run("no write header (a cross-site form)", func(t *testing.T) {
		s := newWriteServer(t, nil)
		// What a form on another site posts: multipart, no custom header,
		// an Origin that is not allowed.
		code, b := s.upload(t, heronsDoc, heronsText, map[string]string{WriteHeader: "", "Origin": "https://evil.example"})
		if code != http.StatusForbidden || !strings.Contains(string(b), WriteHeader) {
			t.Errorf("multipart without header: %d %s", code, b)
		}
		for _, m := range []string{"PUT", "DELETE"} {
			if code, _ := s.send(t, m, "/v1/documents/"+salafismDoc, strings.NewReader("x"), map[string]string{WriteHeader: ""}); code != http.StatusForbidden {
				t.Errorf("%s without header: %d", m, code)
			}
		}
		if code, _ := s.upload(t, heronsDoc, heronsText, map[string]string{WriteHeader: "0"}); code != http.StatusForbidden {
			t.Errorf("header 0: %d", code)
		}
		if _, err := os.Stat(filepath.Join(s.dir, heronsDoc)); !os.IsNotExist(err) {
			t.Errorf("written: %v", err)
		}
		if _, err := os.Stat(filepath.Join(s.dir, salafismDoc)); err != nil {
			t.Errorf("deleted: %v", err)
		}
		// The JSON-only rule of other POST routes holds.
		if code, _ := s.send(t, "POST", "/v1/ask", strings.NewReader(`{"question":"x"}`), map[string]string{"Content-Type": "text/plain"}); code != http.StatusUnsupportedMediaType {
			t.Errorf("ask as text/plain: %d, want 415", code)
		}
	})
	t.Run("writes off", func(t *testing.T) {
		s := newWriteServer(t, func(o *Options) { o.AllowWrites = false })
		if code, b := s.upload(t, heronsDoc, heronsText, nil); code != http.StatusForbidden || !strings.Contains(string(b), "allow_writes") {
			t.Errorf("upload: %d %s", code, b)
		}
		if code, _ := s.send(t, "DELETE", "/v1/documents/"+salafismDoc, nil, nil); code != http.StatusForbidden {
			t.Errorf("delete: %d", code)
		}
	})
	t.Run("key required", func(t *testing.T) {
		s := newWriteServer(t, func(o *Options) { o.APIKeys = []string{"sekrit"} })
		if code, _ := s.upload(t, heronsDoc, heronsText, nil); code != http.StatusUnauthorized {
			t.Errorf("without key: %d", code)
		}
		if code, _ := s.upload(t, heronsDoc, heronsText, map[string]string{"Authorization": "Bearer wrong"}); code != http.StatusUnauthorized {
			t.Errorf("wrong key: %d", code)
		}
		if code, b := s.upload(t, heronsDoc, heronsText, map[string]string{"Authorization": "Bearer sekrit"}); code != http.StatusCreated {
			t.Errorf("with key: %d %s", code, b)
		}
	})
	t.Run("not loopback without keys", func(t *testing.T) {
		s := newWriteServer(t, nil)
		w := do(t, s.h, request{method: "PUT", target: "/v1/documents/a.txt", body: "text",
			header: http.Header{WriteHeader: {"1"}, "Content-Type": {"text/plain"}}, remote: "192.0.2.1:1234"})
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "loopback") {
			t.Errorf("remote write: %d %s", w.Code, w.Body)
		}
		// With a key, a remote client may write.
		s = newWriteServer(t, func(o *Options) { o.APIKeys = []string{"sekrit"} })
		w = do(t, s.h, request{method: "PUT", target: "/v1/documents/a.txt", body: "The mill pond froze in 1902.",
			header: http.Header{WriteHeader: {"1"}, "Content-Type": {"text/plain"}, "Authorization": {"Bearer sekrit"}}, remote: "192.0.2.1:1234"})
		if w.Code != http.StatusCreated {
			t.Errorf("remote write with key: %d %s", w.Code, w.Body)
		}
	})
}

// Options that cannot work are refused by New.
func TestWriteOptionsValidated(t *testing.T) {
	if _, err := New(sharedIndex(t), Options{AllowWrites: true}); err == nil || !strings.Contains(err.Error(), "AllowWrites") {
		t.Errorf("New with writes and no corpus: %v", err)
	}
}

// Uploads, replacements and removals while others ask: every request
// succeeds, and the race detector (go test -race) sees no race.
func TestConcurrentUploadsWhileAsking(t *testing.T) {
	s := newWriteServer(t, nil)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("doc%d.txt", i)
			text := fmt.Sprintf("The beacon number %d on the ridge was lit at dusk by warden %d.", i, i)
			if code, b := s.upload(t, name, text, nil); code != http.StatusCreated {
				t.Errorf("upload %s: %d %s", name, code, b)
			}
			if code, b := s.send(t, "PUT", "/v1/documents/"+name, strings.NewReader(text+" It burned all night."), nil); code != http.StatusOK {
				t.Errorf("put %s: %d %s", name, code, b)
			}
			if i%2 == 0 {
				if code, b := s.send(t, "DELETE", "/v1/documents/"+name, nil, nil); code != http.StatusOK {
					t.Errorf("delete %s: %d %s", name, code, b)
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if ans, _ := s.ask(t, salafism); !ans.Grounded {
					t.Errorf("ask while writing: %+v", ans)
				}
				s.ask(t, "Which beacon was lit at dusk?")
			}
		}()
	}
	wg.Wait()
	docs := map[string]bool{}
	for _, d := range s.h.idx.Documents() {
		docs[d.Source] = true
	}
	for i := range 4 {
		name := fmt.Sprintf("doc%d.txt", i)
		if docs[name] != (i%2 == 1) {
			t.Errorf("%s indexed %v", name, docs[name])
		}
	}
}

// GET /v1/documents says whether this client may write: only where the
// server allows writes, and without API keys only from loopback.
func TestDocumentsWritable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		allow  bool
		keys   []string
		remote string
		want   bool
	}{
		{"writes off", false, nil, "127.0.0.1:1234", false},
		{"loopback", true, nil, "127.0.0.1:1234", true},
		{"remote without keys", true, nil, "192.0.2.1:1234", false},
		{"remote with a key", true, []string{"k"}, "192.0.2.1:1234", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHandler(t, sharedIndex(t), Options{
				AllowWrites: tc.allow,
				APIKeys:     tc.keys,
				Corpus:      dir,
				Reindex:     func(context.Context) (rag.SyncReport, error) { return rag.SyncReport{}, nil },
			})
			hdr := http.Header{}
			if tc.keys != nil {
				hdr.Set("Authorization", "Bearer "+tc.keys[0])
			}
			w := do(t, h, request{method: "GET", target: "/v1/documents", remote: tc.remote, header: hdr})
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := decode[documentsResponse](t, w).Writable; got != tc.want {
				t.Errorf("writable = %v, want %v", got, tc.want)
			}
		})
	}
}
