package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
	"github.com/citebot/citebot/rag/bm25"
	"github.com/citebot/citebot/rag/chromemstore"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/langchain"
)

// Options says what Run measures. The zero value measures the default
// sizes in a temporary directory.
type Options struct {
	// Sizes are the corpus sizes in chunks, measured in increasing order;
	// default 1,000, 10,000 and 100,000.
	Sizes []int
	// Queries is how many questions each latency is measured over; default
	// 200.
	Queries int
	// Concurrency lists the numbers of concurrent ask requests measured;
	// default 1, 2, 8 and 32.
	Concurrency []int
	// ChunkSize and ChunkOverlap configure the splitter; default 600 and
	// 120, which the synthetic passages are sized for.
	ChunkSize, ChunkOverlap int
	// Dir is the scratch directory for corpora and snapshots; by default a
	// new temporary directory, removed afterwards.
	Dir string
	// Seed makes a different corpus; corpora of one seed are identical.
	Seed uint64
	// BandwidthBytes is the buffer read to measure memory bandwidth;
	// default 1 GiB, larger than any cache.
	BandwidthBytes int
	// Lexical names the lexical index measured: DefaultLexical (the one
	// cmd/citebot wires) when empty, else "bm25" (rag/bm25) or "bleve"
	// (rag/bleveindex).
	Lexical string
	// Progress, if set, is told each step as it starts.
	Progress func(string)
}

// DefaultLexical is the lexical index cmd/citebot wires.
const DefaultLexical = "bm25"

// lexicalIndex is a lexical index as the bench uses it: Count waits for
// every write, Close releases its memory.
type lexicalIndex interface {
	rag.LexicalIndex
	Count() int
	Close() error
}

// newLexical returns an empty lexical index of the kind named.
func newLexical(name string) (lexicalIndex, error) {
	switch name {
	case "bm25":
		return bm25.New(), nil
	case "bleve":
		return bleveindex.New()
	}
	return nil, fmt.Errorf("lexical index %q: want bm25 or bleve", name)
}

func (o *Options) setDefaults() {
	if len(o.Sizes) == 0 {
		o.Sizes = []int{1000, 10000, 100000}
	}
	o.Sizes = slices.Clone(o.Sizes)
	slices.Sort(o.Sizes)
	if o.Queries <= 0 {
		o.Queries = 200
	}
	if len(o.Concurrency) == 0 {
		o.Concurrency = []int{1, 2, 8, 32}
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize, o.ChunkOverlap = 600, 120
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.BandwidthBytes <= 0 {
		o.BandwidthBytes = 1 << 30
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	if o.Lexical == "" {
		o.Lexical = DefaultLexical
	}
}

// recallQueries bounds the queries recall@10 is computed over: exact
// brute force costs a float64 pass over every vector per query.
const recallQueries = 100

// denseK is how many candidates citebot's dense search asks the store for
// (Index.search asks for max(4k, 20) with k = 5).
const denseK = 20

// Run measures each size in turn and returns the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.setDefaults()
	for _, n := range o.Sizes {
		if n < 1 {
			return nil, fmt.Errorf("bench: size %d: want at least 1 chunk", n)
		}
	}
	if _, err := newLexical(o.Lexical); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if o.Dir == "" {
		dir, err := os.MkdirTemp("", "citebot-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(dir)
		o.Dir = dir
	}
	rep := &Report{Machine: machine(), Lexical: o.Lexical}
	o.Progress("measuring memory bandwidth")
	rep.Bandwidth = measureBandwidth(o.BandwidthBytes)
	for _, n := range o.Sizes {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		s, err := runSize(ctx, o, n, rep.Bandwidth.BytesPerSecond)
		if err != nil {
			return rep, fmt.Errorf("bench %d chunks: %w", n, err)
		}
		rep.Sizes = append(rep.Sizes, *s)
	}
	rep.Machine.LoadAvgEnd = loadAvg()
	return rep, nil
}

// pipeline is an index wired as cmd/citebot wires it, with the pieces the
// measurements reach into.
type pipeline struct {
	idx   *rag.Index
	emb   *glove.Embedder
	store *chromemstore.Store
	lex   *timedLexical
}

// newPipeline wires an index over dataDir with the lexical index
// o.Lexical names, or lex when it is not nil.
func newPipeline(o Options, dataDir string, lex rag.LexicalIndex) (*pipeline, error) {
	emb, err := glove.New(glove.DefaultOptions())
	if err != nil {
		return nil, err
	}
	var closer io.Closer
	if lex == nil {
		l, err := newLexical(o.Lexical)
		if err != nil {
			return nil, err
		}
		lex, closer = l, l
	}
	p := &pipeline{emb: emb, store: chromemstore.New(), lex: &timedLexical{LexicalIndex: lex, closer: closer}}
	p.idx, err = rag.NewIndex(rag.Config{
		Loader:     langchain.Loader{},
		Splitter:   langchain.NewSplitter(o.ChunkSize, o.ChunkOverlap),
		Embedder:   emb,
		EmbedderID: emb.ID(),
		Store:      p.store,
		Lexical:    p.lex,
		DataDir:    dataDir,
		SaveEvery:  time.Hour, // one save, at the end of the Sync
	})
	if err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// close releases the lexical index and drops it, so that its memory can be
// told apart from the rest; the pipeline cannot search afterwards.
func (p *pipeline) close() error {
	return p.lex.close()
}

// timedLexical adds up the time spent adding to the lexical index.
type timedLexical struct {
	rag.LexicalIndex
	closer io.Closer

	mu   sync.Mutex
	add  time.Duration
	keep bool
	kept []rag.Chunk
}

func (t *timedLexical) Add(ctx context.Context, chunks []rag.Chunk) error {
	start := time.Now()
	err := t.LexicalIndex.Add(ctx, chunks)
	t.mu.Lock()
	t.add += time.Since(start)
	if t.keep {
		t.kept = append(t.kept, chunks...)
	}
	t.mu.Unlock()
	return err
}

// SaveTo and AddSaved pass the saved-copy protocol of the lexical index
// through (see rag's snapshot), so that the wrapped index is saved and
// loaded as cmd/citebot's is.
func (t *timedLexical) SaveTo(dir string) error {
	s, ok := t.LexicalIndex.(interface{ SaveTo(string) error })
	if !ok {
		return errors.New("lexical index cannot be saved")
	}
	return s.SaveTo(dir)
}

func (t *timedLexical) AddSaved(ctx context.Context, chunks []rag.Chunk, dir string) (bool, error) {
	s, ok := t.LexicalIndex.(interface {
		AddSaved(context.Context, []rag.Chunk, string) (bool, error)
	})
	if !ok {
		return false, nil
	}
	start := time.Now()
	used, err := s.AddSaved(ctx, chunks, dir)
	t.mu.Lock()
	t.add += time.Since(start)
	if t.keep {
		t.kept = append(t.kept, chunks...)
	}
	t.mu.Unlock()
	return used, err
}

// keepChunks makes the index remember the chunks added from now on, for
// takeChunks.
func (t *timedLexical) keepChunks() {
	t.mu.Lock()
	t.keep = true
	t.mu.Unlock()
}

func (t *timedLexical) takeChunks() []rag.Chunk {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.kept
	t.keep, t.kept = false, nil
	return c
}

func (t *timedLexical) addTime() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.add
}

func (t *timedLexical) close() error {
	if t.closer == nil {
		return nil
	}
	err := t.closer.Close()
	t.LexicalIndex, t.closer = nil, nil
	return err
}

func runSize(ctx context.Context, o Options, n int, bandwidth float64) (*SizeReport, error) {
	dir := filepath.Join(o.Dir, fmt.Sprintf("n%d", n))
	defer os.RemoveAll(dir)
	o.Progress(fmt.Sprintf("%d chunks: writing the corpus", n))
	corp, err := WriteCorpus(filepath.Join(dir, "corpus"), n, o.Queries, o.Seed)
	if err != nil {
		return nil, err
	}
	s := &SizeReport{Chunks: n, Documents: corp.Documents, CorpusBytes: corp.Bytes, LoadAvgStart: loadAvg()}
	data := filepath.Join(dir, "data")

	o.Progress(fmt.Sprintf("%d chunks: ingest", n))
	if err := measureIngest(ctx, o, corp, data, s); err != nil {
		return nil, err
	}

	o.Progress(fmt.Sprintf("%d chunks: load", n))
	settle()
	base := heapAlloc()
	resetPeakRSS()
	p, err := newPipeline(o, data, nil)
	if err != nil {
		return nil, err
	}
	p.lex.keepChunks()
	start := time.Now()
	if err := p.idx.Load(ctx); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	s.Snapshot.LoadMs = ms(time.Since(start))
	start = time.Now()
	if _, err := p.idx.Ask(ctx, corp.Questions[0].Text, 5); err != nil {
		return nil, fmt.Errorf("first ask: %w", err)
	}
	s.Snapshot.FirstAskMs = ms(time.Since(start))
	s.Snapshot.LoadPeakRSS = peakRSS()
	if err := measureLexicalBuild(ctx, o.Lexical, p.lex.takeChunks(), s); err != nil {
		return nil, err
	}

	qvecs := make([][]float32, len(corp.Questions))
	for i, q := range corp.Questions {
		if qvecs[i], err = p.emb.EmbedQuery(ctx, q.Text); err != nil {
			return nil, err
		}
	}
	o.Progress(fmt.Sprintf("%d chunks: dense queries", n))
	if s.Dense, err = measureDense(ctx, p.store, qvecs, bandwidth); err != nil {
		return nil, err
	}
	o.Progress(fmt.Sprintf("%d chunks: recall@10", n))
	if s.Dense.RecallAt10, err = recallAt10(ctx, p.store, qvecs[:min(len(qvecs), recallQueries)]); err != nil {
		return nil, err
	}
	o.Progress(fmt.Sprintf("%d chunks: ask", n))
	if s.Ask, err = measureAsk(ctx, p, corp.Questions); err != nil {
		return nil, err
	}
	for _, c := range o.Concurrency {
		o.Progress(fmt.Sprintf("%d chunks: %d concurrent asks", n, c))
		r, err := measureConcurrent(ctx, p.idx, corp.Questions, c, max(o.Queries, 2*c))
		if err != nil {
			return nil, err
		}
		s.Concurrent = append(s.Concurrent, r)
	}

	o.Progress(fmt.Sprintf("%d chunks: memory", n))
	settle()
	total := heapAlloc() - base
	if err := p.close(); err != nil {
		return nil, err
	}
	settle()
	noLex := heapAlloc() - base
	runtime.KeepAlive(p)
	dims := len(qvecs[0])
	s.Memory = Memory{
		HeapBytes:               total,
		BytesPerChunk:           float64(total) / float64(n),
		LexicalBytesPerChunk:    float64(total-noLex) / float64(n),
		VectorTextBytesPerChunk: float64(4*dims) + float64(corp.Bytes)/float64(n),
	}
	s.Memory.Ratio = s.Memory.BytesPerChunk / s.Memory.VectorTextBytesPerChunk
	s.Memory.RatioWithoutLexical = (s.Memory.BytesPerChunk - s.Memory.LexicalBytesPerChunk) / s.Memory.VectorTextBytesPerChunk
	s.LoadAvgEnd = loadAvg()
	return s, nil
}

func measureIngest(ctx context.Context, o Options, corp *Corpus, data string, s *SizeReport) error {
	settle()
	resetPeakRSS()
	p, err := newPipeline(o, data, nil)
	if err != nil {
		return err
	}
	defer p.close()
	start := time.Now()
	rep, err := p.idx.Sync(ctx, corp.Dir, nil)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	synced := time.Since(start)
	// The lexical index may still be indexing in the background: the
	// ingest is done when a search can see every chunk.
	if _, err := p.lex.Search(ctx, corp.Questions[0].Text, 1); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	took := time.Since(start)
	s.Ingest.PeakRSS = peakRSS()
	if rep.Chunks != corp.Chunks || len(rep.Skipped) > 0 {
		return fmt.Errorf("ingest made %d chunks of %d passages (%d files skipped)", rep.Chunks, corp.Chunks, len(rep.Skipped))
	}
	s.Ingest.Seconds = took.Seconds()
	s.Ingest.SyncSeconds = synced.Seconds()
	s.Ingest.ChunksPerSecond = float64(rep.Chunks) / took.Seconds()
	s.Ingest.LexicalAddSeconds = p.lex.addTime().Seconds()

	start = time.Now()
	if err := p.idx.Save(); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	s.Snapshot.SaveMs = ms(time.Since(start))
	st, err := os.Stat(filepath.Join(data, rag.SnapshotFile))
	if err != nil {
		return err
	}
	s.Snapshot.Bytes = st.Size()
	s.Snapshot.LexicalBytes = lexicalBytes(data)

	// A quick look at dense latency on the index as ingested, whose vectors
	// were allocated document by document rather than loaded in one block.
	qs := corp.Questions[:min(len(corp.Questions), 50)]
	qvecs := make([][]float32, len(qs))
	for i, q := range qs {
		if qvecs[i], err = p.emb.EmbedQuery(ctx, q.Text); err != nil {
			return err
		}
	}
	lat, err := timeEach(len(qvecs), func(i int) error {
		_, err := p.store.Query(ctx, qvecs[i], denseK)
		return err
	})
	if err != nil {
		return err
	}
	s.Ingest.DenseP50Ms = ms(percentile(lat, 50))
	p.close()
	p = nil

	// The same ingest with no lexical index, for the cost of everything
	// else; into memory only.
	settle()
	q, err := newPipeline(o, "", nopLexical{})
	if err != nil {
		return err
	}
	start = time.Now()
	if _, err := q.idx.Sync(ctx, corp.Dir, nil); err != nil {
		return fmt.Errorf("ingest without lexical index: %w", err)
	}
	s.Ingest.ChunksPerSecondWithoutLexical = float64(rep.Chunks) / time.Since(start).Seconds()
	return nil
}

// lexicalBytes returns the size of the lexical indexes saved with the
// snapshot in data.
func lexicalBytes(data string) int64 {
	var n int64
	dirs, _ := filepath.Glob(filepath.Join(data, "lexical-*"))
	for _, d := range dirs {
		filepath.WalkDir(d, func(_ string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if info, err := e.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
	}
	return n
}

// nopLexical is a lexical index that indexes nothing.
type nopLexical struct{}

func (nopLexical) Add(context.Context, []rag.Chunk) error                 { return nil }
func (nopLexical) DeleteSource(context.Context, string) error             { return nil }
func (nopLexical) Search(context.Context, string, int) ([]rag.Hit, error) { return nil, nil }

// measureLexicalBuild times a new lexical index of the kind named built
// from chunks alone.
func measureLexicalBuild(ctx context.Context, name string, chunks []rag.Chunk, s *SizeReport) error {
	bl, err := newLexical(name)
	if err != nil {
		return err
	}
	defer bl.Close()
	start := time.Now()
	if err := bl.Add(ctx, chunks); err != nil {
		return err
	}
	if bl.Count() != len(chunks) {
		return fmt.Errorf("lexical index holds %d of %d chunks", bl.Count(), len(chunks))
	}
	s.Ingest.LexicalBuildSeconds = time.Since(start).Seconds()
	return nil
}

func measureDense(ctx context.Context, store *chromemstore.Store, qvecs [][]float32, bandwidth float64) (Dense, error) {
	coll := store.Collection()
	n := store.Count()
	k := min(denseK, n)
	// Warm both paths up.
	for i := range min(len(qvecs), 10) {
		if _, err := store.Query(ctx, qvecs[i], k); err != nil {
			return Dense{}, err
		}
		if _, err := coll.QueryEmbedding(ctx, qvecs[i], k, nil, nil); err != nil {
			return Dense{}, err
		}
	}
	// Each path is timed on its own, after a collection, so that neither
	// pays for the other's garbage.
	settle()
	ours, err := timeEach(len(qvecs), func(i int) error {
		_, err := store.Query(ctx, qvecs[i], k)
		return err
	})
	if err != nil {
		return Dense{}, err
	}
	settle()
	theirs, err := timeEach(len(qvecs), func(i int) error {
		_, err := coll.QueryEmbedding(ctx, qvecs[i], k, nil, nil)
		return err
	})
	if err != nil {
		return Dense{}, err
	}
	settle()
	d := Dense{
		P50Ms:        ms(percentile(ours, 50)),
		P99Ms:        ms(percentile(ours, 99)),
		ChromemP50Ms: ms(percentile(theirs, 50)),
		ChromemP99Ms: ms(percentile(theirs, 99)),
		BytesScanned: store.BytesPerQuery(k),
		Float32Bytes: int64(n) * int64(len(qvecs[0])) * 4,
	}
	d.ChromemOverCitebot = d.ChromemP50Ms / d.P50Ms
	d.FloorMs = float64(d.BytesScanned) / bandwidth * 1e3
	d.OverFloor = d.P50Ms / d.FloorMs
	d.Float32FloorMs = float64(d.Float32Bytes) / bandwidth * 1e3
	d.OverFloat32Floor = d.P50Ms / d.Float32FloorMs
	return d, nil
}

// recallAt10 compares the store's top 10 with an exact float64 brute-force
// top 10 over the same vectors. A returned chunk counts when its exact
// similarity reaches the exact 10th best (less a rounding margin), so that
// ties are not counted as misses.
func recallAt10(ctx context.Context, store *chromemstore.Store, qvecs [][]float32) (float64, error) {
	n := store.Count()
	if n == 0 || len(qvecs) == 0 {
		return 0, nil
	}
	all, err := store.Collection().QueryEmbedding(ctx, qvecs[0], n, nil, nil)
	if err != nil {
		return 0, err
	}
	ids := make([]string, len(all))
	vecs := make([][]float32, len(all))
	for i, r := range all {
		ids[i], vecs[i] = r.ID, r.Embedding
	}
	const k = 10
	found := make([]int, len(qvecs))
	errs := make([]error, len(qvecs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			exact := make([]float64, len(vecs))
			for qi := range next {
				q := qvecs[qi]
				for i, v := range vecs {
					exact[i] = cosine64(q, v)
				}
				byID := make(map[string]float64, k)
				sorted := slices.Clone(exact)
				sort.Float64s(sorted)
				kth := sorted[len(sorted)-min(k, len(sorted))]
				hits, err := store.Query(ctx, q, k)
				if err != nil {
					errs[qi] = err
					continue
				}
				for i, id := range ids {
					if exact[i] >= kth-1e-6 {
						byID[id] = exact[i]
					}
				}
				for _, h := range hits {
					if _, ok := byID[h.ChunkID]; ok {
						found[qi]++
					}
				}
			}
		})
	}
	for i := range qvecs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	total := 0
	for _, f := range found {
		total += f
	}
	return float64(total) / float64(len(qvecs)*min(k, n)), nil
}

func cosine64(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

func measureAsk(ctx context.Context, p *pipeline, qs []Question) (Ask, error) {
	hits := 0
	lat, err := timeEach(len(qs), func(i int) error {
		ans, err := p.idx.Ask(ctx, qs[i].Text, 5)
		for _, ps := range ans.Passages {
			if ps.ID == qs[i].Chunk {
				hits++
				break
			}
		}
		return err
	})
	if err != nil {
		return Ask{}, err
	}
	lexLat, err := timeEach(len(qs), func(i int) error {
		_, err := p.lex.Search(ctx, qs[i].Text, denseK)
		return err
	})
	if err != nil {
		return Ask{}, err
	}
	return Ask{
		P50Ms:        ms(percentile(lat, 50)),
		P99Ms:        ms(percentile(lat, 99)),
		HitAt5:       float64(hits) / float64(len(qs)),
		LexicalP50Ms: ms(percentile(lexLat, 50)),
	}, nil
}

// measureConcurrent sends total asks from c goroutines at once.
func measureConcurrent(ctx context.Context, idx *rag.Index, qs []Question, c, total int) (Concurrent, error) {
	lat := make([]time.Duration, total)
	errs := make([]error, c)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c {
		wg.Go(func() {
			for i := range next {
				t := time.Now()
				if _, err := idx.Ask(ctx, qs[i%len(qs)].Text, 5); err != nil && errs[w] == nil {
					errs[w] = err
				}
				lat[i] = time.Since(t)
			}
		})
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return Concurrent{}, err
	}
	return Concurrent{
		Requests:  c,
		P50Ms:     ms(percentile(lat, 50)),
		P99Ms:     ms(percentile(lat, 99)),
		PerSecond: float64(total) / wall.Seconds(),
	}, nil
}

// timeEach times fn(i) for i in [0, n).
func timeEach(n int, fn func(i int) error) ([]time.Duration, error) {
	lat := make([]time.Duration, n)
	for i := range n {
		start := time.Now()
		if err := fn(i); err != nil {
			return nil, err
		}
		lat[i] = time.Since(start)
	}
	return lat, nil
}

// percentile returns the p-th percentile of ds by the nearest-rank method.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
