package rag

import "fmt"

// CheckChunkTables returns an error unless the index's lookup tables agree
// with its records: every chunk by ID is its record's own, and every
// reading is of such a chunk; with shared set, it also says whether some
// record's chunks still lie in the array a snapshot load shared.
func (x *Index) CheckChunkTables() (shared bool, err error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	x.readsMu.RLock()
	defer x.readsMu.RUnlock()
	mine := map[*Chunk]bool{}
	n := 0
	for src, r := range x.docs {
		shared = shared || r.loaded
		for i := range r.chunks {
			c := &r.chunks[i]
			mine[c] = true
			if x.chunks[c.ID] != c {
				return shared, fmt.Errorf("%s: chunk %s is not the record's", src, c.ID)
			}
			n++
		}
	}
	if n != len(x.chunks) {
		return shared, fmt.Errorf("%d chunks by ID, %d in the records", len(x.chunks), n)
	}
	for c := range x.reads {
		if !mine[c] {
			return shared, fmt.Errorf("a reading of chunk %s, which no record holds", c.ID)
		}
	}
	return shared, nil
}
