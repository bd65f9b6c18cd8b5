package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
)

// NewLogger writes the configured format and drops what is below the
// configured level.
func TestNewLogger(t *testing.T) {
	for _, tt := range []struct {
		c     config.Log
		lines []string // what Debug "d" and Warn "w" write, in order
	}{
		{config.Log{Level: "info", Format: "text"}, []string{"level=WARN msg=w"}},
		{config.Log{Level: "debug", Format: "text"}, []string{"level=DEBUG msg=d", "level=WARN msg=w"}},
		{config.Log{Level: "error", Format: "text"}, nil},
		{config.Log{Level: "debug", Format: "json"}, []string{`"level":"DEBUG","msg":"d"`, `"level":"WARN","msg":"w"`}},
		{config.Log{Level: "warn", Format: "json"}, []string{`"level":"WARN","msg":"w"`}},
	} {
		var b bytes.Buffer
		log := NewLogger(&b, tt.c)
		log.Debug("d")
		log.Warn("w")
		got := strings.Split(strings.TrimSpace(b.String()), "\n")
		if b.Len() == 0 {
			got = nil
		}
		if len(got) != len(tt.lines) {
			t.Errorf("%+v: wrote %q, want %d lines", tt.c, b.String(), len(tt.lines))
			continue
		}
		for i, l := range got {
			if !strings.Contains(l, tt.lines[i]) {
				t.Errorf("%+v: line %q, want %q in it", tt.c, l, tt.lines[i])
			}
			if tt.c.Format == "json" && !json.Valid([]byte(l)) {
				t.Errorf("%+v: line %q is not JSON", tt.c, l)
			}
		}
	}
}

// A Sync's progress is logged at each tenth of the files and when
// progressEvery has passed since the last line, never for the last file.
func TestProgressLog(t *testing.T) {
	for _, tt := range []struct {
		total int
		pause map[int]time.Duration // before the file of that number
		want  []int                 // the files done at each line
	}{
		{total: 1},
		{total: 3, want: []int{1, 2}},
		{total: 10, want: []int{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{total: 1000, want: []int{100, 200, 300, 400, 500, 600, 700, 800, 900}},
		{total: 1000, pause: map[int]time.Duration{50: progressEvery, 60: progressEvery - time.Millisecond, 61: time.Millisecond},
			want: []int{50, 61, 100, 200, 300, 400, 500, 600, 700, 800, 900}},
		{total: 1000, pause: map[int]time.Duration{1000: time.Hour}, want: []int{100, 200, 300, 400, 500, 600, 700, 800, 900}},
	} {
		var b bytes.Buffer
		clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		p := newProgressLog(slog.New(slog.NewJSONHandler(&b, nil)), "/docs", func() time.Time { return clock })
		for done := 1; done <= tt.total; done++ {
			clock = clock.Add(tt.pause[done])
			p.report(rag.Progress{Done: done, Total: tt.total, Source: fmt.Sprint(done, ".txt")})
		}
		var got []int
		for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			var line struct {
				Msg    string
				Done   int
				Files  int
				Corpus string
			}
			if l == "" {
				continue
			}
			if err := json.Unmarshal([]byte(l), &line); err != nil || line.Msg != "indexing" || line.Files != tt.total || line.Corpus != "/docs" {
				t.Errorf("total %d: line %s", tt.total, l)
			}
			got = append(got, line.Done)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("total %d, pauses %v: lines at %v, want %v", tt.total, tt.pause, got, tt.want)
		}
	}
}

// A re-index line names at most maxNamed files and counts the rest.
func TestChangedFiles(t *testing.T) {
	names := func(n int) []string {
		var s []string
		for i := 1; i <= n; i++ {
			s = append(s, fmt.Sprintf("f%d.txt", i))
		}
		return s
	}
	for _, tt := range []struct {
		n    int
		want string
	}{
		{0, ""},
		{1, "f1.txt"},
		{10, "f1.txt, f2.txt, f3.txt, f4.txt, f5.txt, f6.txt, f7.txt, f8.txt, f9.txt, f10.txt"},
		{11, "f1.txt, f2.txt, f3.txt, f4.txt, f5.txt, f6.txt, f7.txt, f8.txt, f9.txt, f10.txt and 1 more"},
		{2000, "f1.txt, f2.txt, f3.txt, f4.txt, f5.txt, f6.txt, f7.txt, f8.txt, f9.txt, f10.txt and 1990 more"},
	} {
		if got := changedFiles(names(tt.n)); got != tt.want {
			t.Errorf("%d files: %q, want %q", tt.n, got, tt.want)
		}
	}
}
