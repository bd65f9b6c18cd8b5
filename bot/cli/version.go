package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// commit names the commit a binary was built from when the build has no
// version control information (a Docker build without .git):
// go build -ldflags "-X github.com/citebot/citebot/bot/cli.commit=$(git rev-parse --short HEAD)".
var commit string

// buildInfo is what version prints.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// readBuild reads the module version and the commit the go command
// stamped into the binary.
func readBuild() buildInfo {
	b := buildInfo{Version: "(devel)", Commit: commit, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := info.Main.Version; v != "" {
		b.Version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// version prints the version, "citebot v1.2.0 (commit 4441463, 2026-12-06, go1.26.8)".
func version(ctx context.Context, env Env, o *opts) error {
	b := readBuild()
	if o.json {
		return writeJSON(env.Stdout, b)
	}
	fmt.Fprintf(env.Stdout, "citebot %s (%s)\n", b.Version, b.describe())
	return nil
}

func (b buildInfo) describe() string {
	s := "commit unknown"
	if b.Commit != "" {
		s = "commit " + b.Commit[:min(len(b.Commit), 12)]
		if b.Modified {
			s += " with local changes"
		}
	}
	if len(b.Time) >= 10 {
		s += ", " + b.Time[:10]
	}
	return s + ", " + b.Go
}
