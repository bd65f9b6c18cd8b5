package sqlite

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/historytest"
)

// crashChildEnv names the database a re-executed test binary writes to
// until it is killed.
const crashChildEnv = "CITEBOT_SQLITE_CRASH_CHILD"

// TestKill9LosesOnlyTheWriteInFlight runs a child process (this test
// binary) that adds turns and votes from several goroutines and prints
// each one's ID once the call has returned, kills it with SIGKILL while
// it writes, and checks that the database opens, is intact, and holds
// every turn and vote the child reported. Three rounds on one file.
func TestKill9LosesOnlyTheWriteInFlight(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path, os.Getenv(crashChildEnv+"_ROUND"))
		return
	}
	if testing.Short() {
		t.Skip("runs child processes")
	}
	path := filepath.Join(t.TempDir(), "history.db")
	turns := map[string]bool{}
	votes := map[string]bool{}
	for round := range 3 {
		var stderr strings.Builder
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9LosesOnlyTheWriteInFlight$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s_ROUND=%d", crashChildEnv, round))
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once it has written a few hundred turns: it is writing
		// then, from every goroutine.
		lines := bufio.NewScanner(out)
		seen, killed := 0, false
		for lines.Scan() {
			kind, id, ok := strings.Cut(lines.Text(), " ")
			switch {
			case !ok:
				continue
			case kind == "turn":
				turns[id] = true
				seen++
			case kind == "vote":
				votes[id] = true
			}
			if seen == 200+100*round && !killed {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		// Lines printed before it died are still read above, up to EOF.
		err = cmd.Wait()
		if !killed {
			t.Fatalf("round %d: the child stopped after %d turns (%v): %s", round, seen, err, stderr.String())
		}
		t.Logf("round %d: killed after it reported %d turns (%d in all, %d votes)", round, seen, len(turns), len(votes))
	}

	h := mustOpen(t, path)
	var check string
	if err := h.r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check after kill -9 = %q, %v", check, err)
	}
	recs, err := h.Recent(ctx, rag.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]rag.Record{}
	for _, r := range recs {
		stored[r.ID] = r
	}
	for id := range turns {
		r, ok := stored[id]
		if !ok {
			t.Errorf("turn %s, reported written, is lost", id)
			continue
		}
		if want := historytest.SampleTurn(id, r.Conversation, r.At); r.Answer.Citations[0].Text != want.Answer.Citations[0].Text {
			t.Errorf("turn %s came back changed", id)
		}
	}
	for id := range votes {
		if r := stored[id]; r.Up != 1 {
			t.Errorf("the vote on %s, reported written, is lost", id)
		}
	}
	// At most the write in flight of each goroutine is more than was
	// reported.
	if extra := len(stored) - len(turns); extra < 0 || extra > 3*crashWriters {
		t.Errorf("%d turns stored, %d reported", len(stored), len(turns))
	}
	if err := h.AddTurn(ctx, historytest.SampleTurn("after", "c", time.Time{})); err != nil {
		t.Errorf("AddTurn after the crashes: %v", err)
	}
}

// crashWriters is how many goroutines of the child write.
const crashWriters = 4

// crashChild writes to path until it is killed: each goroutine adds a
// turn, prints "turn ID", votes on it, prints "vote ID". It never
// returns of itself before 10000 turns a goroutine.
func crashChild(path, round string) {
	h, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	say := func(kind, id string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, "%s %s\n", kind, id) // unbuffered: the parent reads it at once
	}
	var wg sync.WaitGroup
	for g := range crashWriters {
		wg.Go(func() {
			for i := range 10000 {
				id := fmt.Sprintf("r%s-g%d-%d", round, g, i)
				if err := h.AddTurn(ctx, historytest.SampleTurn(id, "conv-"+round, time.Time{})); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				say("turn", id)
				if err := h.AddFeedback(ctx, rag.Feedback{Answer: id, Vote: rag.VoteUp}); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				say("vote", id)
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}
