package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, file string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var f Flags
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if file != "" {
		path := filepath.Join(t.TempDir(), "citebot.yaml")
		if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		f.File = path
	}
	return Load(fs, f, func(k string) string { return env[k] })
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want Config
	}{
		{"defaults", "", nil, nil, Config{Corpus: "corpus", Data: "d", K: 5, ChunkSize: 600, ChunkOverlap: 120, SaveEvery: 30 * time.Second}},
		{"file", "corpus: docs\nk: 8\nsave_every: 5s\n", nil, nil, Config{Corpus: "docs", Data: "d", K: 8, ChunkSize: 600, ChunkOverlap: 120, SaveEvery: 5 * time.Second}},
		{"env over file", "corpus: docs\nk: 8\n", map[string]string{"CITEBOT_CORPUS": "env", "CITEBOT_K": "9"}, nil, Config{Corpus: "env", Data: "d", K: 9, ChunkSize: 600, ChunkOverlap: 120, SaveEvery: 30 * time.Second}},
		{"flag over env", "corpus: docs\n", map[string]string{"CITEBOT_CORPUS": "env"}, []string{"--corpus", "flag"}, Config{Corpus: "flag", Data: "d", K: 5, ChunkSize: 600, ChunkOverlap: 120, SaveEvery: 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"CITEBOT_DATA": "d"}
			for k, v := range tt.env {
				env[k] = v
			}
			got, err := load(t, tt.file, env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDefaultDataDirDependsOnCorpus(t *testing.T) {
	a, err := load(t, "", map[string]string{"CITEBOT_CORPUS": "one"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := load(t, "", map[string]string{"CITEBOT_CORPUS": "two"})
	if a.Data == "" || a.Data == b.Data {
		t.Errorf("data dirs %q and %q, want distinct per corpus", a.Data, b.Data)
	}
}

// Validate reports every problem, each naming its setting.
func TestValidateNamesEverySetting(t *testing.T) {
	_, err := load(t, "corpus: ' '\nk: 0\nchunk_size: 50\nchunk_overlap: 60\nsave_every: -1s\n", map[string]string{"CITEBOT_DATA": "d"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"corpus:", "k: 0", "chunk_size: 50", "chunk_overlap: 60", "save_every"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestBadValues(t *testing.T) {
	for _, tt := range []struct {
		file string
		env  map[string]string
		want string
	}{
		{"k: many\n", nil, "config file"},
		{"unknown_key: 1\n", nil, "unknown_key"},
		{"", map[string]string{"CITEBOT_CHUNK_SIZE": "big"}, "CITEBOT_CHUNK_SIZE"},
		{"", map[string]string{"CITEBOT_SAVE_EVERY": "often"}, "CITEBOT_SAVE_EVERY"},
	} {
		_, err := load(t, tt.file, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("file %q env %v: error %v, want one naming %q", tt.file, tt.env, err, tt.want)
		}
	}
	if _, err := load(t, "", map[string]string{"CITEBOT_CONFIG": "/nonexistent.yaml"}); err == nil {
		t.Error("missing config file accepted")
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	got, err := load(t, "# nothing\n", map[string]string{"CITEBOT_DATA": "d"})
	if err != nil || got.K != 5 {
		t.Errorf("empty file: %+v, %v", got, err)
	}
}
