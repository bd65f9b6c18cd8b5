// Package bench measures how citebot's cost grows with its corpus and how
// close it stays to what the hardware allows. It is the harness behind
// `citebot bench` and the package's `go test -bench` benchmarks.
//
// For each size it writes a deterministic synthetic corpus (about 100-word
// passages of real words drawn from the GloVe vocabulary by Zipf's law, see
// WriteCorpus) and drives the real pipeline over it: rag.Index with the
// langchaingo loader and splitter, the GloVe embedder, the chromem store and
// the lexical index cmd/citebot wires (or the one Options.Lexical names),
// saving and loading real snapshots. It reports ingest throughput and peak
// RSS; dense retrieval latency on citebot's path and on chromem-go's own
// Collection.QueryEmbedding over the same vectors; the memory-bandwidth
// floor of a dense query (the bytes of vectors it must read divided by the
// sequential read bandwidth measured in the same run); recall@10 of the
// dense path against exact float64 brute force; ask latency alone and under
// 1, 8 and 32 concurrent requests; snapshot save and load time and size; and
// heap bytes per chunk against the bytes of its vector and text.
//
// The package needs no network and writes only under the scratch directory
// it is given. Large sizes take minutes and gigabytes: they belong to the
// bench command and to benchmarks, never to unit tests.
package bench
