// Package weaviatestore keeps citebot's chunks in a Weaviate collection, so
// that an index can outgrow one process and several citebot processes can
// share it. It wraps the official Go client
// (github.com/weaviate/weaviate-go-client/v5) and is tested against
// Weaviate 1.29.
//
// A Store implements rag.Store (nearVector search) and rag.HybridSearcher
// (Weaviate's own fusion of BM25 and vector search); its Lexical view
// implements rag.LexicalIndex (BM25) on the same collection, so one
// collection serves as both the store and the lexical index of a rag.Index.
//
// Each chunk is one object. Its UUID is derived from the chunk ID (a
// version 5 UUID, see ObjectID), since chunk IDs such as "a.txt#3" are not
// UUIDs; its properties are the chunk's ID, text, source, title, date,
// ordinal and byte offsets, a hash of all of them and a hash of its
// vector; its vector is the caller's. The collection has no vectorizer:
// vectors always come from citebot's embedder, so answers match those of
// the in-process store. New creates the collection with these properties
// and the configured replication factor when it does not exist.
//
// Writes and deletes use the configured consistency level (QUORUM by
// default). Searches read one replica of each shard: asked for more,
// Weaviate 1.29 repairs a stale replica with the partial object a search
// returns, leaving it without text or vector for good (seen in this
// package's cluster test before searches stopped asking;
// weaviate/weaviate#12355). Deletes carry their time, so that a replica
// that was down during one drops the objects when it is repaired instead of
// bringing them back. Repair itself is Weaviate's: async replication
// (Options.AsyncReplication) or reads at ALL.
//
// Every request has a short timeout. A failure that a later retry may cure
// (a refused or reset connection, a timeout, an HTTP 5xx or 429, a node
// still loading, a consistency level that the live replicas cannot reach)
// is returned wrapping rag.ErrUnavailable, which front ends answer with
// 503.
//
// The package never logs and keeps no state of its own beyond its
// configuration: what it holds is in Weaviate.
package weaviatestore
