package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/config"
)

// syntheticCorpus writes n deterministic documents of a few paragraphs.
func syntheticCorpus(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	vocab := strings.Fields(`council minister border policy security migration report meeting
		president government agency region district committee law order reform army guard
		economy growth budget tax trade water energy school hospital road bridge city village`)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "Report number %d on regional affairs\n\n", i)
		for p := range 4 {
			for s := range 5 {
				for w := range 12 {
					word := vocab[r.IntN(len(vocab))]
					if w == 0 {
						word = strings.ToUpper(word[:1]) + word[1:]
					}
					b.WriteString(word + " ")
				}
				fmt.Fprintf(&b, "item%d-%d-%d.\n", i, p, s)
			}
			b.WriteString("\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("doc%04d.txt", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// kill -9 at random moments of an ingest that saves after every file: the
// index must always load, and a later ingest must finish the job.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns ingests")
	}
	corpus, data := syntheticCorpus(t, 300), t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 8 {
		// Later rounds find earlier ones' work done: change files so that
		// there is something to re-index when the kill lands.
		for range 40 {
			f := filepath.Join(corpus, fmt.Sprintf("doc%04d.txt", r.IntN(300)))
			b, _ := os.ReadFile(f)
			os.WriteFile(f, append(b, fmt.Sprintf("Amended in round %d.\n", round)...), 0o644)
		}
		cmd := exec.Command(os.Args[0], "ingest")
		cmd.Env = append(os.Environ(), "CITEBOT_TEST_MAIN=1", "CITEBOT_CORPUS="+corpus, "CITEBOT_DATA="+data, "CITEBOT_SAVE_EVERY=1ms")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+r.IntN(600)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		cfg := config.Default()
		cfg.Corpus, cfg.Data = corpus, data
		var warned []string
		idx, err := open(context.Background(), cfg, slog.New(slog.DiscardHandler), func(s string) { warned = append(warned, s) })
		if err != nil || len(warned) > 0 {
			t.Fatalf("round %d: index after kill -9 does not load: %v %v", round, err, warned)
		}
		t.Logf("round %d: %d documents survived the kill", round, len(idx.Documents()))
	}
	tmps, _ := filepath.Glob(filepath.Join(data, ".index-*.tmp"))
	t.Logf("%d temporary files left by the kills", len(tmps))
	res := citebot(t, map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": data}, "ingest", "--json")
	if res.err != nil {
		t.Fatal(res.err)
	}
	if !strings.Contains(res.stdout, `"documents": 300`) {
		t.Errorf("ingest after the kills = %s", res.stdout)
	}
	if tmps, _ := filepath.Glob(filepath.Join(data, ".index-*.tmp")); len(tmps) != 0 {
		t.Errorf("temporary files left after a clean ingest: %v", tmps)
	}
}
