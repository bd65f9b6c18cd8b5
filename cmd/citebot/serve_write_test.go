package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// uploadHTTP posts text as a multipart file named name, with the write
// header, and returns the status and body.
func uploadHTTP(t *testing.T, base, name, text string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", name)
	io.WriteString(part, text)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/v1/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Citebot-Write", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// `citebot serve` on loopback takes uploads by default, with the
// configured max_file_bytes and the loader's types, and answers from them
// at once; CITEBOT_ALLOW_WRITES=false turns them off.
func TestServeUpload(t *testing.T) {
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "mill.txt"), []byte("# Mill\n\nThe old mill by the river ground flour until 1950.\n"), 0o644)
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir(), "CITEBOT_WATCH": "false",
		"CITEBOT_MAX_FILE_BYTES": "1000", "CITEBOT_RATE_LIMIT": "off"}
	base, _, stop := startServe(t, env)
	code, body := uploadHTTP(t, base, "herons.md", "# Quarry Lake survey\n\nThe ranger at Quarry Lake counted 287 nesting herons in the spring of 1931.\n")
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	if a := askHTTP(t, base, "How many nesting herons did the ranger at Quarry Lake count?"); len(a.Citations) == 0 || a.Citations[0].Source != "herons.md" {
		t.Errorf("answer after upload = %+v", a)
	}
	if code, body := uploadHTTP(t, base, "big.txt", strings.Repeat("word ", 300)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("over max_file_bytes: %d %s", code, body)
	}
	if code, body := uploadHTTP(t, base, "tool.exe", "x"); code != http.StatusUnsupportedMediaType {
		t.Errorf("unsupported: %d %s", code, body)
	}
	stop()

	env["CITEBOT_ALLOW_WRITES"] = "false"
	base, _, stop = startServe(t, env)
	if code, body := uploadHTTP(t, base, "other.md", "text"); code != http.StatusForbidden {
		t.Errorf("writes off: %d %s", code, body)
	}
	stop()
}
