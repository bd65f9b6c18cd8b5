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

// TestDot4 checks that dot4 gives dot's sums to the bit.
func TestDot4(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	for _, n := range []int{0, 1, 7, 100} {
		q, a, b, c, d := vec(n), vec(n), vec(n), vec(n), vec(n)
		sa, sb, sc, sd := dot4(q, a, b, c, d)
		for i, got := range []float32{sa, sb, sc, sd} {
			if want := dot(q, [][]float32{a, b, c, d}[i]); math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("n %d, vector %d: %v, dot says %v", n, i, got, want)
			}
		}
	}
	if sa, _, _, _ := dot4(vec(3), vec(2), vec(3), vec(3), vec(3)); sa == 0 {
		t.Error("vectors of other lengths not summed")
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
