package weaviatestore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// The cluster test needs CITEBOT_WEAVIATE_CLUSTER=1 and the weaviate-server
// binary (see testdata/weaviate.sh); it starts and stops the cluster itself.
const clusterEnv = "CITEBOT_WEAVIATE_CLUSTER"

const (
	// clusterMaxWindow bounds the time from the first failed question to
	// the end of the last while a replica is lost.
	clusterMaxWindow = 2 * DefaultTimeout
	// clusterMaxFail bounds how long a question may take to fail while the
	// node the store talks to is down: the store's timeout, and a margin.
	clusterMaxFail = DefaultTimeout + time.Second
	// clusterMaxRecovery bounds how long after that node is ready again
	// questions still fail: a node answers /v1/.well-known/ready before it
	// has loaded its schema and shards, and says so (HTTP 422) meanwhile.
	clusterMaxRecovery = 20 * time.Second
)

// outcome is one question of the stream.
type outcome struct {
	start, end time.Time
	err        error
}

// stream asks the development questions in turn from four goroutines,
// with a 20 ms pause after each, until stopped.
type stream struct {
	mu       sync.Mutex
	outcomes []outcome
	stop     context.CancelFunc
	wg       sync.WaitGroup
}

func startStream(ctx context.Context, idx *rag.Index, cases []rag.EvalCase) *stream {
	ctx, cancel := context.WithCancel(ctx)
	st := &stream{stop: cancel}
	for w := range 4 {
		st.wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				o := outcome{start: time.Now()}
				_, o.err = idx.Ask(ctx, cases[i%len(cases)].Question, 5)
				o.end = time.Now()
				if ctx.Err() != nil {
					return
				}
				st.mu.Lock()
				st.outcomes = append(st.outcomes, o)
				st.mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	return st
}

// end stops the stream and returns its outcomes in order of start.
func (st *stream) end() []outcome {
	st.stop()
	st.wg.Wait()
	slices.SortFunc(st.outcomes, func(a, b outcome) int { return a.start.Compare(b.start) })
	return st.outcomes
}

// figures sums up the questions that ended in [from, to), so that a
// question cut off by a kill counts with that kill.
type figures struct {
	asked, failed  int
	first, last    time.Time // of the failed ones: first start, last end
	slowest        time.Duration
	slowestFailure time.Duration
	notUnavailable []error
	errs           map[string]int // failures by message
}

func summarize(outcomes []outcome, from, to time.Time) figures {
	f := figures{errs: map[string]int{}}
	for _, o := range outcomes {
		if o.end.Before(from) || !o.end.Before(to) {
			continue
		}
		f.asked++
		took := o.end.Sub(o.start)
		f.slowest = max(f.slowest, took)
		if o.err == nil {
			continue
		}
		f.failed++
		f.errs[o.err.Error()]++
		f.slowestFailure = max(f.slowestFailure, took)
		if f.first.IsZero() {
			f.first = o.start
		}
		if o.end.After(f.last) {
			f.last = o.end
		}
		if !errors.Is(o.err, rag.ErrUnavailable) && len(f.notUnavailable) < 5 {
			f.notUnavailable = append(f.notUnavailable, o.err)
		}
	}
	return f
}

func (f figures) window() time.Duration {
	if f.failed == 0 {
		return 0
	}
	return f.last.Sub(f.first)
}

// TestCluster runs a stream of questions against a rag.Index on a
// three-node cluster (replication factor 3, QUORUM, async replication)
// through node1, and:
//
//  1. kills node3 with SIGKILL: questions fail, if at all, only in a short
//     window and with rag.ErrUnavailable; a re-ingest (an update and a
//     removal) at QUORUM succeeds without node3; node3 is started again;
//  2. kills node1, the node the store talks to: questions fail fast with
//     rag.ErrUnavailable, and succeed again soon after node1 is back;
//  3. waits for node3 to be repaired: it holds every chunk with node1's
//     content, and none of the removed document.
//
// The collection is one shard, replicated on the three nodes: on three
// shards Weaviate scores BM25 with each shard's statistics, which differ
// from one collection to the next as the chunks fall into the shards, and
// the development questions' quality, checked here, moved with them (one
// unanswerable question answered in about one collection of ten; see
// Options.Shards).
func TestCluster(t *testing.T) {
	if os.Getenv(clusterEnv) != "1" {
		t.Skipf("%s not 1: no three-node cluster test", clusterEnv)
	}
	script(t, "cluster-stop")
	mustScript(t, "cluster-start")
	t.Cleanup(func() { script(t, "cluster-stop") })

	ctx := t.Context()
	s := mustNew(t, Options{
		URL:               "http://127.0.0.1:8101",
		ReplicationFactor: 3,
		Shards:            1,
		AsyncReplication:  true,
		ConsistencyLevel:  Quorum,
	})
	idx := newIndex(t, s)
	corpus := copyCorpus(t)
	syncCorpus(t, idx, corpus, rag.SyncReport{Added: 5})
	checkStored(t, "after ingest", s, idx)
	checkQuality(t, "cluster, all nodes up", idx)

	const updated, removed = "000_ab91cd10ee7806cc.txt", "004_6f11d09755833efc.txt"
	var removedChunks int
	for _, d := range idx.Documents() {
		if d.Source == removed {
			removedChunks = d.Chunks
		}
	}

	// A second citebot with the other nodes as failover, over the same
	// collection: losing the node it talks to must not fail its questions.
	sf := mustNew(t, Options{
		URL:               "http://127.0.0.1:8101",
		Failover:          []string{"http://127.0.0.1:8102", "http://127.0.0.1:8103"},
		ReplicationFactor: 3,
		Shards:            1,
		AsyncReplication:  true,
		ConsistencyLevel:  Quorum,
	})
	idxF := newIndex(t, sf)
	syncCorpus(t, idxF, corpus, rag.SyncReport{Added: 5})

	st := startStream(ctx, idx, devCases(t))
	stF := startStream(ctx, idxF, devCases(t))
	begin := time.Now()
	since := func(at time.Time) time.Duration { return at.Sub(begin).Round(time.Millisecond) }

	// 1. A replica is lost.
	time.Sleep(3 * time.Second)
	kill3 := time.Now()
	mustScript(t, "cluster-kill", "3")
	time.Sleep(5 * time.Second)
	// A new first paragraph: every chunk of the document changes (its
	// offsets, its title), and one is added.
	prependFile(t, filepath.Join(corpus, updated), "The Zhambyl observatory counted 4,812 migrating cranes on 3 March.\n\n")
	if err := os.Remove(filepath.Join(corpus, removed)); err != nil {
		t.Fatal(err)
	}
	write := time.Now()
	syncCorpus(t, idx, corpus, rag.SyncReport{Updated: 1, Removed: 1})
	writeTook := time.Since(write)
	askCiting(t, idx, "How many migrating cranes did the Zhambyl observatory count?", updated)
	time.Sleep(5 * time.Second)
	restart3 := time.Now()
	mustScript(t, "cluster-start-node", "3")
	back3 := time.Now()
	ids, gone := chunkIDs(idx), removedIDs(removed, removedChunks)
	missing, stale, left := diffNode(t, s, "node3", ids, gone)
	t.Logf("FIGURES node3 on its return: %d of %d chunks missing, %d stale, %d of %d removed chunks left",
		missing, len(ids), stale, left, len(gone))
	time.Sleep(5 * time.Second)

	// 2. The store's own node is lost.
	kill1 := time.Now()
	mustScript(t, "cluster-kill", "1")
	time.Sleep(5 * time.Second)
	mustScript(t, "cluster-start-node", "1")
	back1 := time.Now()
	time.Sleep(10 * time.Second)
	outcomes := st.end()
	outcomesF := stF.end()

	p1 := summarize(outcomes, begin, kill1)
	t.Logf("FIGURES replica lost: node3 killed at +%v, re-ingest at QUORUM at +%v took %v, restarted at +%v, ready at +%v",
		since(kill3), since(write), writeTook.Round(time.Millisecond), since(restart3), since(back3))
	t.Logf("FIGURES replica lost: questions asked %d, failed %d, failure window %v, slowest question %v",
		p1.asked, p1.failed, p1.window().Round(time.Millisecond), p1.slowest.Round(time.Millisecond))
	for msg, n := range p1.errs {
		t.Logf("replica lost: %d× %s", n, msg)
	}
	for _, err := range p1.notUnavailable {
		t.Errorf("replica lost: a question failed with %v, want an error wrapping rag.ErrUnavailable", err)
	}
	if p1.window() > clusterMaxWindow {
		t.Errorf("replica lost: questions failed over %v, want at most %v", p1.window(), clusterMaxWindow)
	}

	p2 := summarize(outcomes, kill1, time.Now())
	var recovered time.Duration // from node1's readiness to the end of the last failure
	if p2.failed > 0 {
		recovered = p2.last.Sub(back1)
	}
	t.Logf("FIGURES store's node lost: node1 killed at +%v, ready again at +%v; questions asked %d, failed %d from +%v to +%v (window %v, %v after ready), slowest failure %v",
		since(kill1), since(back1), p2.asked, p2.failed, since(p2.first), since(p2.last),
		p2.window().Round(time.Millisecond), recovered.Round(time.Millisecond), p2.slowestFailure.Round(time.Millisecond))
	for msg, n := range p2.errs {
		t.Logf("store's node lost: %d× %s", n, msg)
	}
	for _, err := range p2.notUnavailable {
		t.Errorf("store's node lost: a question failed with %v, want an error wrapping rag.ErrUnavailable", err)
	}
	if p2.slowestFailure > clusterMaxFail {
		t.Errorf("store's node lost: a question took %v to fail, want at most %v", p2.slowestFailure, clusterMaxFail)
	}
	if recovered > clusterMaxRecovery {
		t.Errorf("store's node lost: questions failed until %v after node1 was ready, want at most %v", recovered, clusterMaxRecovery)
	}
	pf := summarize(outcomesF, kill1, time.Now())
	t.Logf("FIGURES store's node lost, with failover: questions asked %d, failed %d, failure window %v",
		pf.asked, pf.failed, pf.window().Round(time.Millisecond))
	for msg, n := range pf.errs {
		t.Logf("with failover: %d× %s", n, msg)
	}
	if pf.window() > clusterMaxWindow {
		t.Errorf("with failover: questions failed over %v, want at most %v", pf.window(), clusterMaxWindow)
	}
	if p1.asked < 100 || p2.asked < 100 {
		t.Errorf("only %d and %d questions asked", p1.asked, p2.asked)
	}

	// 3. Repair.
	checkRepaired(t, s, ids, gone, back3)
	restoreCorpus(t, idx, corpus, updated, removed)
	checkStored(t, "after restoring the corpus", s, idx)
	checkQuality(t, "cluster, after both nodes' return", idx)
}

// prependFile puts text at the start of a file.
func prependFile(t *testing.T, path, text string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append([]byte(text), data...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// restoreCorpus puts the bundled corpus back and re-ingests it.
func restoreCorpus(t *testing.T, idx *rag.Index, corpus, updated, removed string) {
	t.Helper()
	for _, name := range []string{updated, removed} {
		data, err := os.ReadFile(filepath.Join("../../corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	syncCorpus(t, idx, corpus, rag.SyncReport{Added: 1, Updated: 1})
}

// chunkIDs returns the IDs of the chunks of idx.
func chunkIDs(idx *rag.Index) []string {
	var ids []string
	for _, d := range idx.Documents() {
		for i := range d.Chunks {
			ids = append(ids, fmt.Sprintf("%s#%d", d.Source, i))
		}
	}
	return ids
}

// removedIDs returns the IDs of the n chunks a removed source had.
func removedIDs(source string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s#%d", source, i)
	}
	return ids
}

// checkRepaired waits until node3 holds every chunk ids with the content
// node1 has, and none of gone: first for Weaviate's async replication (it
// compares replicas every 30 s by default; up to 90 s), then by reading
// every chunk at ALL (read repair). back is when node3 returned.
func checkRepaired(t *testing.T, s *Store, ids, gone []string, back time.Time) {
	t.Helper()
	start := time.Now()
	missing, stale, left := diffNode(t, s, "node3", ids, gone)
	repairedBy := "async replication"
	if missing+stale+left == 0 {
		repairedBy += " (already at the first check)"
	}
	for missing+stale+left > 0 && time.Since(start) < 90*time.Second {
		time.Sleep(time.Second)
		missing, stale, left = diffNode(t, s, "node3", ids, gone)
	}
	if missing+stale+left > 0 {
		repairedBy = "reads at ALL"
		for _, id := range append(ids, gone...) {
			_, err := s.client.Data().ObjectsGetter().WithClassName(s.Collection()).WithID(ObjectID(id)).
				WithConsistencyLevel(All).Do(t.Context())
			if status, _, _ := classify(err); err != nil && status != http.StatusNotFound {
				t.Errorf("read %s at ALL: %v", id, err)
			}
		}
		missing, stale, left = diffNode(t, s, "node3", ids, gone)
	}
	t.Logf("FIGURES repair by %s, done %v after node3's return: chunks checked on node3 %d (+%d removed), missing %d, stale %d, removed left %d",
		repairedBy, time.Since(back).Round(time.Second), len(ids), len(gone), missing, stale, left)
	if missing+stale+left > 0 {
		t.Errorf("node3 after repair: %d chunks missing, %d stale, %d removed ones left", missing, stale, left)
	}
}

// diffNode compares node's copy of the chunks ids with node1's: it returns
// how many are missing on node, how many differ (in their properties or
// vector), and how many of the chunks gone it still holds.
func diffNode(t *testing.T, s *Store, node string, ids, gone []string) (missing, stale, left int) {
	t.Helper()
	// get returns the hashes of a chunk's properties and of its vector on
	// a node; an error other than 404 (a node still loading its shards) is
	// logged and returned.
	get := func(node, id string) (string, bool, error) {
		objs, err := s.client.Data().ObjectsGetter().WithClassName(s.Collection()).WithID(ObjectID(id)).
			WithVector().WithNodeName(node).Do(t.Context())
		if status, _, _ := classify(err); err != nil && status == http.StatusNotFound {
			return "", false, nil
		} else if err != nil {
			t.Logf("get %s from %s: %v", id, node, err)
			return "", false, err
		}
		h, _ := objs[0].Properties.(map[string]any)[propHash].(string)
		return h + "/" + vectorHash(objs[0].Vector), true, nil
	}
	for _, id := range ids {
		want, ok, err := get("node1", id)
		if !ok || err != nil {
			t.Fatalf("chunk %s is not on node1", id)
		}
		switch got, ok, err := get(node, id); {
		case !ok || err != nil:
			missing++
		case got != want:
			stale++
		}
	}
	for _, id := range gone {
		if _, ok, err := get(node, id); ok || err != nil {
			left++
		}
	}
	return missing, stale, left
}
