package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Report is what Run measured. Times are in milliseconds or seconds as
// their names say, sizes in bytes.
type Report struct {
	Machine Machine `json:"machine"`
	// Lexical names the lexical index measured (see Options.Lexical).
	Lexical   string       `json:"lexical"`
	Bandwidth Bandwidth    `json:"bandwidth"`
	Sizes     []SizeReport `json:"sizes"`
}

// Machine describes where the report was made. Load averages tell whether
// other processes competed for the cores.
type Machine struct {
	CPU          string  `json:"cpu"`
	CPUs         int     `json:"cpus"`
	GOMAXPROCS   int     `json:"gomaxprocs"`
	GoVersion    string  `json:"go_version"`
	OS           string  `json:"os"`
	LoadAvgStart float64 `json:"loadavg_start"`
	LoadAvgEnd   float64 `json:"loadavg_end"`
}

// Bandwidth is the sequential read bandwidth measured at the start of the
// run; BytesPerSecond, the faster of one core and all cores, sets the floor.
type Bandwidth struct {
	BufferBytes       int64   `json:"buffer_bytes"`
	OneCoreGBps       float64 `json:"one_core_gbps"`
	AllCoresGBps      float64 `json:"all_cores_gbps"`
	BytesPerSecond    float64 `json:"bytes_per_second"`
	ReadKernel        string  `json:"read_kernel"`
	BestOfPasses      int     `json:"best_of_passes"`
	AllCoresGoroutine int     `json:"all_cores_goroutines"`
}

// SizeReport is every measurement of one corpus size.
type SizeReport struct {
	Chunks       int          `json:"chunks"`
	Documents    int          `json:"documents"`
	CorpusBytes  int64        `json:"corpus_bytes"`
	Ingest       Ingest       `json:"ingest"`
	Dense        Dense        `json:"dense"`
	Ask          Ask          `json:"ask"`
	Concurrent   []Concurrent `json:"concurrent"`
	Snapshot     Snapshot     `json:"snapshot"`
	Memory       Memory       `json:"memory"`
	LoadAvgStart float64      `json:"loadavg_start"`
	LoadAvgEnd   float64      `json:"loadavg_end"`
}

// Ingest is a Sync of the whole corpus into an empty index, snapshot
// included, until a search sees every chunk (the lexical index may finish
// in the background after Sync returns).
type Ingest struct {
	Seconds         float64 `json:"seconds"`
	SyncSeconds     float64 `json:"sync_seconds"`
	ChunksPerSecond float64 `json:"chunks_per_second"`
	// LexicalAddSeconds is the time Sync spent in the lexical index's Add
	// (which only queues work when the index builds in the background).
	LexicalAddSeconds float64 `json:"lexical_add_seconds"`
	// ChunksPerSecondWithoutLexical is the rate of the same ingest into an
	// index with no lexical index and no data directory.
	ChunksPerSecondWithoutLexical float64 `json:"chunks_per_second_without_lexical"`
	// LexicalBuildSeconds is the time to build a BM25 index of every chunk
	// on its own, in one Add.
	LexicalBuildSeconds float64 `json:"lexical_build_seconds"`
	PeakRSS             int64   `json:"peak_rss_bytes"`
	// DenseP50Ms is the dense query latency on the index as ingested (the
	// other measurements are on the index loaded from its snapshot).
	DenseP50Ms float64 `json:"dense_p50_ms_after_ingest"`
}

// Dense is the latency of a dense query for citebot's 20 candidates, on
// citebot's store and on chromem-go's own QueryEmbedding over the same
// vectors, and against the memory-bandwidth floor: the time to read, at the
// bandwidth measured in the run, the vector bytes citebot's query reads
// (BytesScanned: int8 rows and the float32 vectors it rescores), and those
// of an exact float32 scan (Float32Bytes: every stored vector).
type Dense struct {
	P50Ms              float64 `json:"p50_ms"`
	P99Ms              float64 `json:"p99_ms"`
	ChromemP50Ms       float64 `json:"chromem_p50_ms"`
	ChromemP99Ms       float64 `json:"chromem_p99_ms"`
	ChromemOverCitebot float64 `json:"chromem_over_citebot"`
	BytesScanned       int64   `json:"bytes_scanned"`
	FloorMs            float64 `json:"floor_ms"`
	OverFloor          float64 `json:"citebot_over_floor"`
	Float32Bytes       int64   `json:"float32_bytes"`
	Float32FloorMs     float64 `json:"float32_floor_ms"`
	OverFloat32Floor   float64 `json:"citebot_over_float32_floor"`
	RecallAt10         float64 `json:"recall_at_10"`
}

// Ask is the latency of a whole answer: embedding the question, hybrid
// retrieval and the extractive answer. HitAt5 is the share of questions
// whose source passage is among the five passages retrieved;
// LexicalP50Ms the BM25 search alone.
type Ask struct {
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	HitAt5       float64 `json:"hit_at_5"`
	LexicalP50Ms float64 `json:"lexical_p50_ms"`
}

// Concurrent is ask latency with Requests asks in flight at once.
type Concurrent struct {
	Requests  int     `json:"requests"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	PerSecond float64 `json:"per_second"`
}

// Snapshot is the snapshot's size, the time to save it (with the lexical
// index saved next to it, if any), to load it into a new index, and the
// first ask after the load (which pays for any work the load deferred).
type Snapshot struct {
	Bytes int64 `json:"bytes"`
	// LexicalBytes is the lexical index saved next to the snapshot, if
	// any.
	LexicalBytes int64   `json:"lexical_bytes"`
	SaveMs       float64 `json:"save_ms"`
	LoadMs       float64 `json:"load_ms"`
	FirstAskMs   float64 `json:"first_ask_ms"`
	LoadPeakRSS  int64   `json:"load_peak_rss_bytes"`
}

// Memory is the live heap of a loaded index per chunk, against the bytes of
// its vector (float32) and its share of the corpus text; the lexical part is
// the heap the BM25 index releases when it is closed.
type Memory struct {
	HeapBytes               int64   `json:"heap_bytes"`
	BytesPerChunk           float64 `json:"bytes_per_chunk"`
	LexicalBytesPerChunk    float64 `json:"lexical_bytes_per_chunk"`
	VectorTextBytesPerChunk float64 `json:"vector_text_bytes_per_chunk"`
	Ratio                   float64 `json:"ratio"`
	RatioWithoutLexical     float64 `json:"ratio_without_lexical"`
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes r as a table with a column per corpus size.
func (r *Report) WriteTable(w io.Writer) error {
	m := r.Machine
	fmt.Fprintf(w, "citebot bench: %s, %d CPUs, GOMAXPROCS %d, %s %s; load average %.2f at start, %.2f at end\n",
		m.CPU, m.CPUs, m.GOMAXPROCS, m.GoVersion, m.OS, m.LoadAvgStart, m.LoadAvgEnd)
	b := r.Bandwidth
	fmt.Fprintf(w, "memory bandwidth (sequential read of %d MiB, %s, best of %d): %.1f GB/s on one core, %.1f GB/s on %d\n",
		b.BufferBytes>>20, b.ReadKernel, b.BestOfPasses, b.OneCoreGBps, b.AllCoresGBps, b.AllCoresGoroutine)
	fmt.Fprintf(w, "lexical index: %s\n\n", r.Lexical)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(s *SizeReport) string) {
		cells := []string{name}
		for i := range r.Sizes {
			cells = append(cells, f(&r.Sizes[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	f0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	f1 := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	f2 := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	f3 := func(v float64) string { return fmt.Sprintf("%.3f", v) }
	mib := func(v int64) string { return fmt.Sprintf("%.0f", float64(v)/(1<<20)) }

	row("chunks", func(s *SizeReport) string { return fmt.Sprint(s.Chunks) })
	row("documents", func(s *SizeReport) string { return fmt.Sprint(s.Documents) })
	row("load average (start)", func(s *SizeReport) string { return f2(s.LoadAvgStart) })
	row("ingest chunks/s", func(s *SizeReport) string { return f0(s.Ingest.ChunksPerSecond) })
	row("  ingest s (until searchable)", func(s *SizeReport) string { return f2(s.Ingest.Seconds) })
	row("  Sync s", func(s *SizeReport) string { return f2(s.Ingest.SyncSeconds) })
	row("  in BM25 Add s", func(s *SizeReport) string { return f2(s.Ingest.LexicalAddSeconds) })
	row("  chunks/s without BM25", func(s *SizeReport) string { return f0(s.Ingest.ChunksPerSecondWithoutLexical) })
	row("  BM25 build alone s", func(s *SizeReport) string { return f2(s.Ingest.LexicalBuildSeconds) })
	row("  peak RSS MiB", func(s *SizeReport) string { return mib(s.Ingest.PeakRSS) })
	row("dense p50 ms (citebot)", func(s *SizeReport) string { return f3(s.Dense.P50Ms) })
	row("dense p99 ms (citebot)", func(s *SizeReport) string { return f3(s.Dense.P99Ms) })
	row("dense p50 ms (chromem)", func(s *SizeReport) string { return f3(s.Dense.ChromemP50Ms) })
	row("dense p99 ms (chromem)", func(s *SizeReport) string { return f3(s.Dense.ChromemP99Ms) })
	row("chromem/citebot p50", func(s *SizeReport) string { return f1(s.Dense.ChromemOverCitebot) })
	row("MB read per query", func(s *SizeReport) string { return f1(float64(s.Dense.BytesScanned) / 1e6) })
	row("bandwidth floor ms", func(s *SizeReport) string { return f3(s.Dense.FloorMs) })
	row("citebot/floor p50", func(s *SizeReport) string { return f2(s.Dense.OverFloor) })
	row("float32 scan MB", func(s *SizeReport) string { return f1(float64(s.Dense.Float32Bytes) / 1e6) })
	row("float32 floor ms", func(s *SizeReport) string { return f3(s.Dense.Float32FloorMs) })
	row("citebot/float32 floor p50", func(s *SizeReport) string { return f2(s.Dense.OverFloat32Floor) })
	row("dense p50 ms after ingest", func(s *SizeReport) string { return f3(s.Ingest.DenseP50Ms) })
	row("recall@10", func(s *SizeReport) string { return f3(s.Dense.RecallAt10) })
	row("ask p50 ms", func(s *SizeReport) string { return f2(s.Ask.P50Ms) })
	row("ask p99 ms", func(s *SizeReport) string { return f2(s.Ask.P99Ms) })
	row("  BM25 search p50 ms", func(s *SizeReport) string { return f2(s.Ask.LexicalP50Ms) })
	row("  source passage in top 5", func(s *SizeReport) string { return f2(s.Ask.HitAt5) })
	for i := range r.Sizes[0:min(1, len(r.Sizes))] {
		for j, c := range r.Sizes[i].Concurrent {
			row(fmt.Sprintf("%d concurrent: p50/p99 ms", c.Requests), func(s *SizeReport) string {
				if j >= len(s.Concurrent) {
					return "-"
				}
				return fmt.Sprintf("%.1f/%.1f", s.Concurrent[j].P50Ms, s.Concurrent[j].P99Ms)
			})
			row(fmt.Sprintf("%d concurrent: asks/s", c.Requests), func(s *SizeReport) string {
				if j >= len(s.Concurrent) {
					return "-"
				}
				return f0(s.Concurrent[j].PerSecond)
			})
		}
	}
	row("snapshot MiB", func(s *SizeReport) string { return f1(float64(s.Snapshot.Bytes) / (1 << 20)) })
	row("  saved BM25 index MiB", func(s *SizeReport) string { return f1(float64(s.Snapshot.LexicalBytes) / (1 << 20)) })
	row("snapshot save ms", func(s *SizeReport) string { return f1(s.Snapshot.SaveMs) })
	row("snapshot load ms", func(s *SizeReport) string { return f1(s.Snapshot.LoadMs) })
	row("  first ask after load ms", func(s *SizeReport) string { return f1(s.Snapshot.FirstAskMs) })
	row("  peak RSS MiB", func(s *SizeReport) string { return mib(s.Snapshot.LoadPeakRSS) })
	row("heap bytes/chunk", func(s *SizeReport) string { return f0(s.Memory.BytesPerChunk) })
	row("  of which BM25", func(s *SizeReport) string { return f0(s.Memory.LexicalBytesPerChunk) })
	row("  vector+text bytes/chunk", func(s *SizeReport) string { return f0(s.Memory.VectorTextBytesPerChunk) })
	row("  heap / (vector+text)", func(s *SizeReport) string { return f2(s.Memory.Ratio) })
	row("  same without BM25", func(s *SizeReport) string { return f2(s.Memory.RatioWithoutLexical) })
	return tw.Flush()
}
