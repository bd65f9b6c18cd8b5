package rag

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// ErrSnapshot reports a snapshot that cannot be used: truncated, corrupted,
// from another program or version, or built by another embedder. The index
// is rebuilt from the corpus when it happens.
var ErrSnapshot = errors.New("unusable index snapshot")

// SnapshotFile is the snapshot's file name inside the data directory.
const SnapshotFile = "index.snap"

// The snapshot format, version 1, all integers little-endian:
//
//	magic      [8]byte "CITEBOT\x00"
//	version    uint32
//	metaLen    uint64, then metaLen bytes: gob of snapshotMeta
//	dims       uint32
//	nvec       uint64, then nvec*dims float32: every chunk's vector, in
//	           document order then chunk order
//	crc        uint32: CRC-32C of every byte before it
//
// The file is written to a temporary name, synced, renamed over the old one
// and the directory is synced, so a crash at any moment leaves either the old
// or the new snapshot, never a torn one.
var snapshotMagic = [8]byte{'C', 'I', 'T', 'E', 'B', 'O', 'T', 0}

const snapshotVersion = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type snapshotMeta struct {
	EmbedderID string
	Documents  []snapshotDoc
}

type snapshotDoc struct {
	Document Document
	Chunks   []Span // chunk offsets in Document.Text, by ordinal
}

// record is one indexed document with its chunks and their vectors.
type record struct {
	doc     Document
	chunks  []Chunk
	vectors [][]float32

	vocabOnce sync.Once
	vocab     []string // the distinct words of the kept text, see Index.vocab
}

// writeSnapshot atomically replaces dir/SnapshotFile with recs.
func writeSnapshot(dir, embedderID string, dims int, recs []*record) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return fmt.Errorf("data dir %s: lock: %w", dir, err)
	}
	defer unlock()
	// Holding the lock, any temporary snapshot is a crashed writer's.
	removeTemps(dir)
	tmp, err := os.CreateTemp(dir, ".index-*.tmp")
	if err != nil {
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	crc := crc32.New(castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	if err := encodeSnapshot(w, embedderID, dims, recs); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := binary.Write(tmp, binary.LittleEndian, crc.Sum32()); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, SnapshotFile)); err != nil {
		return fmt.Errorf("replace snapshot: %w", err)
	}
	return syncDir(dir)
}

// removeTemps deletes temporary snapshots left by writers that crashed.
func removeTemps(dir string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, ".index-*.tmp"))
	for _, t := range tmps {
		os.Remove(t)
	}
}

func encodeSnapshot(w io.Writer, embedderID string, dims int, recs []*record) error {
	meta := snapshotMeta{EmbedderID: embedderID, Documents: make([]snapshotDoc, len(recs))}
	nvec := 0
	for i, r := range recs {
		spans := make([]Span, len(r.chunks))
		for j, c := range r.chunks {
			spans[j] = Span{c.Start, c.End}
		}
		meta.Documents[i] = snapshotDoc{Document: r.doc, Chunks: spans}
		nvec += len(r.vectors)
	}
	var metaBuf bytes.Buffer
	if err := gob.NewEncoder(&metaBuf).Encode(meta); err != nil {
		return err
	}
	le := binary.LittleEndian
	hdr := make([]byte, 0, 32)
	hdr = append(hdr, snapshotMagic[:]...)
	hdr = le.AppendUint32(hdr, snapshotVersion)
	hdr = le.AppendUint64(hdr, uint64(metaBuf.Len()))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if _, err := w.Write(metaBuf.Bytes()); err != nil {
		return err
	}
	hdr = le.AppendUint32(hdr[:0], uint32(dims))
	hdr = le.AppendUint64(hdr, uint64(nvec))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 4*dims)
	for _, r := range recs {
		for _, v := range r.vectors {
			if len(v) != dims {
				return fmt.Errorf("vector of %d dims in a %d-dim index", len(v), dims)
			}
			for i, f := range v {
				le.PutUint32(buf[4*i:], math.Float32bits(f))
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
	}
	return nil
}

// readSnapshot loads dir/SnapshotFile. It returns (nil, nil) when there is no
// snapshot, and an error wrapping ErrSnapshot when the file cannot be used.
func readSnapshot(dir, embedderID string) ([]*record, error) {
	data, err := os.ReadFile(filepath.Join(dir, SnapshotFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	recs, err := decodeSnapshot(data, embedderID)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrSnapshot, filepath.Join(dir, SnapshotFile), err)
	}
	return recs, nil
}

func decodeSnapshot(data []byte, embedderID string) ([]*record, error) {
	le := binary.LittleEndian
	if len(data) < len(snapshotMagic)+4 || !bytes.Equal(data[:8], snapshotMagic[:]) {
		return nil, errors.New("not a citebot snapshot")
	}
	if v := le.Uint32(data[8:]); v != snapshotVersion {
		return nil, fmt.Errorf("snapshot version %d, want %d", v, snapshotVersion)
	}
	if len(data) < 8+4+8+4+8+4 {
		return nil, errors.New("truncated")
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("checksum mismatch (truncated or corrupted)")
	}
	p := body[12:]
	metaLen := le.Uint64(p)
	p = p[8:]
	if metaLen > uint64(len(p)) {
		return nil, errors.New("truncated metadata")
	}
	var meta snapshotMeta
	if err := gob.NewDecoder(bytes.NewReader(p[:metaLen])).Decode(&meta); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	if meta.EmbedderID != embedderID {
		return nil, fmt.Errorf("built by embedder %q, not %q", meta.EmbedderID, embedderID)
	}
	p = p[metaLen:]
	if len(p) < 12 {
		return nil, errors.New("truncated vectors")
	}
	dims, nvec := int(le.Uint32(p)), le.Uint64(p[4:])
	p = p[12:]
	if dims <= 0 || nvec > uint64(len(p))/4/uint64(dims) || uint64(len(p)) != nvec*uint64(dims)*4 {
		return nil, errors.New("vector block size mismatch")
	}
	floats := make([]float32, int(nvec)*dims)
	for i := range floats {
		floats[i] = math.Float32frombits(le.Uint32(p[4*i:]))
	}

	recs := make([]*record, 0, len(meta.Documents))
	next := 0
	for _, sd := range meta.Documents {
		d := sd.Document
		r := &record{doc: d, chunks: make([]Chunk, len(sd.Chunks)), vectors: make([][]float32, len(sd.Chunks))}
		for i, sp := range sd.Chunks {
			if sp.Start < 0 || sp.End > len(d.Text) || sp.Start > sp.End {
				return nil, fmt.Errorf("chunk %d of %s out of range", i, d.Source)
			}
			if next >= int(nvec) {
				return nil, errors.New("fewer vectors than chunks")
			}
			r.chunks[i] = newChunk(d, i, sp)
			r.vectors[i] = floats[next*dims : (next+1)*dims : (next+1)*dims]
			next++
		}
		recs = append(recs, r)
	}
	if next != int(nvec) {
		return nil, errors.New("more vectors than chunks")
	}
	return recs, nil
}

// newChunk makes the ordinal-th chunk of d covering sp.
func newChunk(d Document, ordinal int, sp Span) Chunk {
	return Chunk{
		ID:      fmt.Sprintf("%s#%d", d.Source, ordinal),
		Source:  d.Source,
		Title:   d.Title,
		Date:    d.Date,
		Ordinal: ordinal,
		Start:   sp.Start,
		End:     sp.End,
		Text:    d.Text[sp.Start:sp.End],
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync data dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync data dir: %w", err)
	}
	return nil
}
