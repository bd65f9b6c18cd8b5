// Package rag is citebot's domain: documents, chunks, passages and cited
// answers, the small interfaces the pipeline needs (Loader, Splitter,
// Embedder, Store, LexicalIndex), and the Service that keeps an index in step
// with a corpus directory and answers questions from it.
//
// rag imports no adapters: implementations of its interfaces live in
// sub-packages named after what they wrap (rag/glove, rag/chromemstore,
// rag/bleveindex, rag/langchain). It returns errors and never logs.
package rag
