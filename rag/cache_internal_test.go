package rag

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// TestSharedCache: what is stored is loaded, a key is stored once, and the
// cache stops adding at its bound, from many goroutines at once.
func TestSharedCache(t *testing.T) {
	c := newSharedCache[int](100)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := strconv.Itoa(i)
				if v, ok := c.load(k); ok && v != i {
					t.Errorf("goroutine %d: %s = %d", g, k, v)
				}
				c.store(k, i)
			}
		})
	}
	wg.Wait()
	n := 0
	for i := range 200 {
		if v, ok := c.load(strconv.Itoa(i)); ok {
			n++
			if v != i {
				t.Errorf("%d = %d", i, v)
			}
		}
	}
	if n < 100 || n > 100+4 { // each goroutine may pass the bound check once at the end
		t.Errorf("%d entries cached, want about 100", n)
	}
}

// countingEmbedder embeds a text as its length and counts the texts it
// was asked for.
type countingEmbedder struct{ texts int }

func (e *countingEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	e.texts += len(texts)
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{float32(len(t))}
	}
	return out, nil
}

func (e *countingEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return []float32{float32(len(text))}, nil
}

// TestCachedSentenceVectors: remembered sentences are not embedded again,
// the vectors come back in the order asked, and an embedder's Dimensions
// is kept only where it has one.
func TestCachedSentenceVectors(t *testing.T) {
	inner := &countingEmbedder{}
	e := newCachedSentenceVectors(inner)
	if _, ok := e.(interface{ Dimensions() int }); ok {
		t.Error("Dimensions promised for an embedder without it")
	}
	ctx := context.Background()
	for _, c := range []struct {
		texts []string
		calls int
	}{{[]string{"a", "bb"}, 2}, {[]string{"ccc", "bb", "a"}, 3}, {[]string{"a"}, 3}} {
		vs, err := e.EmbedDocuments(ctx, c.texts)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vs {
			if v[0] != float32(len(c.texts[i])) {
				t.Errorf("%q: vector %v", c.texts[i], v)
			}
		}
		if inner.texts != c.calls {
			t.Errorf("after %q: %d texts embedded, want %d", c.texts, inner.texts, c.calls)
		}
	}
}

// randVec is n normally distributed components drawn from r.
func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// TestDotRow4 checks that dotRow4 gives dotRow's sums to the bit, whatever
// the other rows, and dotRow about the float sums of the row's components,
// for lengths around the kernel's eight at a time.
func TestDotRow4(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vec := func(n int) []float32 { return randVec(r, n) }
	row := func(n int) []int8 {
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(r.IntN(256) - 128)
		}
		return v
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 300} {
		q, a, b, c, d := vec(n), row(n), row(n), row(n), row(n)
		sa, sb, sc, sd := dotRow4(q, a, b, c, d)
		for i, got := range []float32{sa, sb, sc, sd} {
			rw := [][]int8{a, b, c, d}[i]
			if want := dotRow(q, rw); math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("n %d, row %d: %v, dotRow says %v", n, i, got, want)
			}
			var want, size float64
			for k, x := range rw {
				want += float64(q[k]) * float64(x)
				size += math.Abs(float64(q[k]) * float64(x))
			}
			if math.Abs(float64(got)-want) > 1e-6*size {
				t.Errorf("n %d, row %d: %v, the float64 sum is %v", n, i, got, want)
			}
		}
	}
	if sa, _, _, _ := dotRow4(vec(3), row(2), row(3), row(3), row(3)); sa == 0 {
		t.Error("rows of other lengths not summed")
	}
	q, short := vec(10), row(5)
	if got, want := dotRow(q, short), dotRow(q[:5], short); got != want {
		t.Errorf("a row shorter than q: %v, over their common part %v", got, want)
	}
}

// TestWordNumbers: every number put is got back, through the table's
// growth, and a word not put is not found.
func TestWordNumbers(t *testing.T) {
	w := newWordNumbers(4)
	for g := int32(0); g < 5000; g += 3 {
		w.put(g, g/3)
	}
	for g := int32(0); g < 5000; g++ {
		id, ok := w.get(g)
		if want := g%3 == 0; ok != want || ok && id != g/3 {
			t.Fatalf("get(%d) = %d, %v", g, id, ok)
		}
	}
}

// rowModel gives each word a row of int8 components, and its unit vector.
type rowModel map[string][]int8

func (m rowModel) WordRow(w string) ([]int8, bool) { r, ok := m[w]; return r, ok }

func (m rowModel) WordVector(w string) ([]float32, bool) {
	r, ok := m[w]
	if !ok {
		return nil, false
	}
	v := make([]float32, len(r))
	for i, x := range r {
		v[i] = float32(x)
	}
	n := float32(rowLength(r))
	for i := range v {
		v[i] /= n
	}
	return v, true
}

// floatModel is a word model that gives only unit vectors.
type floatModel struct{ rowModel }

func (floatModel) WordRow() {} // hides rowModel's: not a wordRows

// A word's similarity is about the same through its row as through its
// unit vector.
func TestWordVectorPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m := rowModel{}
	words := []string{"harbour", "port", "lighthouse", "keeper", "storm"}
	for _, w := range words {
		row := make([]int8, 100)
		for i := range row {
			row[i] = int8(r.IntN(255) - 127)
		}
		m[w] = row
	}
	q, _ := m.WordVector("harbour")
	rows, floats := newVocabulary(), newVocabulary()
	for _, w := range append(words, "absent") {
		a := rows.vector(rows.words[rows.add(w)], m)
		b := floats.vector(floats.words[floats.add(w)], floatModel{m})
		if w == "absent" {
			if a.has() || b.has() {
				t.Errorf("a word the model lacks has a vector: %+v, %+v", a, b)
			}
			continue
		}
		if a.row == nil || b.v == nil {
			t.Fatalf("%s: row %v, unit vector %v", w, a.row != nil, b.v != nil)
		}
		got, want := a.cosine(q), b.cosine(q)
		if math.Abs(float64(got-want)) > 1e-6 {
			t.Errorf("%s: cosine %v through its row, %v through its unit vector", w, got, want)
		}
	}
}
