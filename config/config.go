// Package config loads and validates citebot's settings. Each setting has a
// default, which a YAML file, then the environment, then command-line flags
// override. Secrets are read only from the environment and never printed.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting of citebot.
type Config struct {
	// Corpus is the directory of documents to answer from.
	Corpus string `yaml:"corpus"`
	// Data is where the index snapshot is kept; by default a directory in
	// the user's cache named after the corpus path.
	Data string `yaml:"data"`
	// K is how many passages an answer is chosen from.
	K int `yaml:"k"`
	// ChunkSize and ChunkOverlap are in characters.
	ChunkSize    int `yaml:"chunk_size"`
	ChunkOverlap int `yaml:"chunk_overlap"`
	// SaveEvery bounds how much ingest work a crash can lose: a long ingest
	// saves a snapshot at least this often.
	SaveEvery time.Duration `yaml:"save_every"`
}

// Default returns the settings used when nothing overrides them.
func Default() Config {
	return Config{Corpus: "corpus", K: 5, ChunkSize: 600, ChunkOverlap: 120, SaveEvery: 30 * time.Second}
}

// Flags are the settings every subcommand accepts on its command line.
type Flags struct {
	Corpus, Data, File string
}

// Register adds the global flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Corpus, "corpus", "", "directory of documents (env CITEBOT_CORPUS; default corpus)")
	fs.StringVar(&f.Data, "data", "", "index directory (env CITEBOT_DATA; default in the user cache dir)")
	fs.StringVar(&f.File, "config", "", "YAML config file (env CITEBOT_CONFIG)")
}

// Load resolves the settings: defaults, then the config file (the --config
// flag or CITEBOT_CONFIG), then the environment, then the flags set on fs.
func Load(fs *flag.FlagSet, f Flags, getenv func(string) string) (Config, error) {
	c := Default()
	path := f.File
	if path == "" {
		path = getenv("CITEBOT_CONFIG")
	}
	if path != "" {
		if err := c.loadFile(path); err != nil {
			return c, err
		}
	}
	if err := c.loadEnv(getenv); err != nil {
		return c, err
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "corpus":
			c.Corpus = f.Corpus
		case "data":
			c.Data = f.Data
		}
	})
	if c.Data == "" {
		c.Data = defaultDataDir(c.Corpus)
	}
	return c, c.Validate()
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func (c *Config) loadEnv(getenv func(string) string) error {
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	num := func(name string, dst *int) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a whole number", name, v))
			return
		}
		*dst = n
	}
	dur := func(name string, dst *time.Duration) {
		v := getenv(name)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 30s", name, v))
			return
		}
		*dst = d
	}
	str("CITEBOT_CORPUS", &c.Corpus)
	dur("CITEBOT_SAVE_EVERY", &c.SaveEvery)
	str("CITEBOT_DATA", &c.Data)
	num("CITEBOT_K", &c.K)
	num("CITEBOT_CHUNK_SIZE", &c.ChunkSize)
	num("CITEBOT_CHUNK_OVERLAP", &c.ChunkOverlap)
	return errors.Join(errs...)
}

// Validate returns every problem, each naming its setting.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Corpus) == "" {
		errs = append(errs, errors.New("corpus: must name a directory"))
	}
	if strings.TrimSpace(c.Data) == "" {
		errs = append(errs, errors.New("data: must name a directory"))
	}
	if c.K < 1 || c.K > 50 {
		errs = append(errs, fmt.Errorf("k: %d is outside 1..50", c.K))
	}
	if c.ChunkSize < 100 || c.ChunkSize > 20000 {
		errs = append(errs, fmt.Errorf("chunk_size: %d is outside 100..20000", c.ChunkSize))
	}
	if c.ChunkOverlap < 0 || c.ChunkOverlap >= c.ChunkSize {
		errs = append(errs, fmt.Errorf("chunk_overlap: %d must be at least 0 and below chunk_size", c.ChunkOverlap))
	}
	if c.SaveEvery <= 0 {
		errs = append(errs, fmt.Errorf("save_every: %v must be positive", c.SaveEvery))
	}
	return errors.Join(errs...)
}

// defaultDataDir is a directory in the user's cache named after the corpus'
// absolute path, so that two corpora never share an index.
func defaultDataDir(corpus string) string {
	abs, err := filepath.Abs(corpus)
	if err != nil {
		abs = corpus
	}
	sum := sha256.Sum256([]byte(abs))
	base, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(".citebot", hex.EncodeToString(sum[:6]))
	}
	return filepath.Join(base, "citebot", filepath.Base(abs)+"-"+hex.EncodeToString(sum[:6]))
}
