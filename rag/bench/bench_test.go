package bench

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestRunSmall runs the whole harness on a tiny corpus: every figure is
// there and plausible. The real sizes belong to `citebot bench`.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds indexes")
	}
	rep, err := Run(context.Background(), Options{Sizes: []int{120}, Queries: 12, Concurrency: []int{1, 4}, Dir: t.TempDir(), BandwidthBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Sizes[0]
	if s.Chunks != 120 || s.Ingest.ChunksPerSecond <= 0 || s.Dense.P50Ms <= 0 || s.Dense.ChromemP50Ms <= 0 || s.Snapshot.Bytes <= 0 || s.Memory.BytesPerChunk <= 0 {
		t.Errorf("implausible report: %+v", s)
	}
	if s.Dense.RecallAt10 < 0.99 {
		t.Errorf("recall@10 = %.3f, want exact search", s.Dense.RecallAt10)
	}
	var tab, js bytes.Buffer
	if err := rep.WriteTable(&tab); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + tab.String())
	if !strings.Contains(tab.String(), "recall@10") || !strings.Contains(js.String(), `"recall_at_10"`) {
		t.Error("table or JSON lacks recall@10")
	}
}

// Benchmarks of the main figures, on synthetic corpora of -sizes chunks:
//
//	go test -run '^$' -bench . ./rag/bench -args -sizes=10000,100000
var sizesFlag = flag.String("sizes", "10000", "comma-separated corpus sizes, in chunks, for the benchmarks")

func benchSizes(b *testing.B) []int {
	var ns []int
	for _, f := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			b.Fatalf("-sizes: %q", f)
		}
		ns = append(ns, n)
	}
	return ns
}

// fixture is a corpus of one size with a saved snapshot and an index
// loaded from it, shared by the benchmarks of a run.
type fixture struct {
	corp  *Corpus
	data  string
	p     *pipeline
	qvecs [][]float32
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[int]*fixture{}
)

func getFixture(b *testing.B, n int) *fixture {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f, ok := fixtures[n]; ok {
		return f
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "citebot-bench-")
	if err != nil {
		b.Fatal(err)
	}
	corp, err := WriteCorpus(filepath.Join(dir, "corpus"), n, 64, 1)
	if err != nil {
		b.Fatal(err)
	}
	o := Options{}
	o.setDefaults()
	data := filepath.Join(dir, "data")
	ing, err := newPipeline(o, data, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ing.idx.Sync(ctx, corp.Dir, nil); err != nil {
		b.Fatal(err)
	}
	ing.close()
	p, err := newPipeline(o, data, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.idx.Load(ctx); err != nil {
		b.Fatal(err)
	}
	f := &fixture{corp: corp, data: data, p: p}
	for _, q := range corp.Questions {
		v, err := p.emb.EmbedQuery(ctx, q.Text)
		if err != nil {
			b.Fatal(err)
		}
		f.qvecs = append(f.qvecs, v)
	}
	fixtures[n] = f
	return f
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range fixtures {
		f.p.close()
		os.RemoveAll(filepath.Dir(f.data))
	}
	os.Exit(code)
}

// BenchmarkIngest syncs the whole corpus into an empty in-memory index
// and waits until the lexical index has caught up.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes(b) {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := getFixture(b, n)
			o := Options{}
			o.setDefaults()
			for b.Loop() {
				p, err := newPipeline(o, "", nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.idx.Sync(ctx, f.corp.Dir, nil); err != nil {
					b.Fatal(err)
				}
				if _, err := p.lex.Search(ctx, "x", 1); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				p.close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
		})
	}
}

// BenchmarkDense is one dense query for 20 candidates through citebot's
// store and through chromem-go's own QueryEmbedding on the same vectors.
func BenchmarkDense(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes(b) {
		f := getFixture(b, n)
		b.Run("n="+strconv.Itoa(n)+"/citebot", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := f.p.store.Query(ctx, f.qvecs[i%len(f.qvecs)], denseK); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(int64(n)*int64(len(f.qvecs[0]))*4)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run("n="+strconv.Itoa(n)+"/chromem", func(b *testing.B) {
			coll := f.p.store.Collection()
			i := 0
			for b.Loop() {
				if _, err := coll.QueryEmbedding(ctx, f.qvecs[i%len(f.qvecs)], min(denseK, n), nil, nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkAsk is a whole answer: embedding, hybrid retrieval, answer.
func BenchmarkAsk(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes(b) {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := getFixture(b, n)
			i := 0
			for b.Loop() {
				if _, err := f.p.idx.Ask(ctx, f.corp.Questions[i%len(f.corp.Questions)].Text, 5); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkAskParallel is Ask from GOMAXPROCS*p goroutines at once; with
// -cpu 1,2 and -test.parallelism it shows whether asks contend.
func BenchmarkAskParallel(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes(b) {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := getFixture(b, n)
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					q := f.corp.Questions[int(next.Add(1))%len(f.corp.Questions)]
					if _, err := f.p.idx.Ask(ctx, q.Text, 5); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkLoad loads the snapshot into a new index (the lexical index
// then builds in the background; see BenchmarkLoadSearchable).
func BenchmarkLoad(b *testing.B) {
	benchmarkLoad(b, false)
}

// BenchmarkLoadSearchable loads the snapshot and waits until the lexical
// index can answer.
func BenchmarkLoadSearchable(b *testing.B) {
	benchmarkLoad(b, true)
}

func benchmarkLoad(b *testing.B, searchable bool) {
	ctx := context.Background()
	for _, n := range benchSizes(b) {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := getFixture(b, n)
			o := Options{}
			o.setDefaults()
			for b.Loop() {
				p, err := newPipeline(o, f.data, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := p.idx.Load(ctx); err != nil {
					b.Fatal(err)
				}
				if searchable {
					if _, err := p.lex.Search(ctx, "x", 1); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				p.close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkSave writes the snapshot.
func BenchmarkSave(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := getFixture(b, n)
			for b.Loop() {
				if err := f.p.idx.Save(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBandwidth reads a 1 GiB buffer sequentially: the floor's
// denominator.
func BenchmarkBandwidth(b *testing.B) {
	buf := make([]uint64, 1<<27)
	for i := range buf {
		buf[i] = uint64(i)
	}
	for b.Loop() {
		sink.Add(readSum(buf))
	}
	b.ReportMetric(float64(len(buf)*8)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}
