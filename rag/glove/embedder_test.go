package glove

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// similarities embeds query and texts and returns the cosine of the query
// with each text.
func similarities(t *testing.T, e *Embedder, query string, texts ...string) []float64 {
	t.Helper()
	q, err := e.EmbedQuery(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := e.EmbedDocuments(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(docs))
	for i, d := range docs {
		out[i] = dot(q, d)
	}
	return out
}

// assertBest checks that the query is closest to texts[0].
func assertBest(t *testing.T, e *Embedder, query string, texts ...string) {
	t.Helper()
	sims := similarities(t, e, query, texts...)
	for i, s := range sims[1:] {
		if s >= sims[0] {
			t.Errorf("%s: %q scores %.3f with %q, not above %.3f with %q",
				e.ID(), query, sims[0], texts[0], s, texts[i+1])
		}
	}
}

// optionSets are the settings the behaviour tests hold for.
var optionSets = []Options{
	DefaultOptions(),
	{SIFA: 1e-3, SubtractMean: false, NGramDims: 256, NGramWeight: 0.5},
	{SIFA: 1e-2, SubtractMean: true, NGramDims: 512, NGramWeight: 1},
}

func TestSimilarSentences(t *testing.T) {
	for _, opts := range optionSets {
		e := mustNew(t, opts)
		assertBest(t, e, "The kitten slept on the rug.",
			"The cat rested on the carpet.", "The desk was in the study room.", "Oil prices rose sharply on Monday.")
		assertBest(t, e, "The table was in the drawing room.",
			"The desk was in the study room.", "The cat rested on the carpet.", "Oil prices rose sharply on Monday.")
		assertBest(t, e, "The kids played football in the park.",
			"Children were playing soccer outside.", "The bank raised interest rates.", "The desk was in the study room.")
		assertBest(t, e, "The central bank raised interest rates.",
			"The bank increased the cost of borrowing.", "Children were playing soccer outside.")
		assertBest(t, e, "Which armed force should be enlarged after the unrest?",
			"The National Guard must be expanded and better equipped after the riots.",
			"The talks covered trade, transport and energy.",
			"Gun shops must not be located near schools.")
	}
}

func TestWordPartOnly(t *testing.T) {
	e := mustNew(t, Options{SIFA: 1e-3, SubtractMean: true})
	if e.Dimensions() != 100 {
		t.Fatalf("Dimensions = %d, want 100", e.Dimensions())
	}
	assertBest(t, e, "The kitten slept on the rug.",
		"The cat rested on the carpet.", "The desk was in the study room.")
}

func TestOutOfVocabularyName(t *testing.T) {
	for _, opts := range optionSets {
		e := mustNew(t, opts)
		assertBest(t, e, "Kul-Mukhammed",
			"The committee is chaired by Senator Kul-Mukhammed.",
			"The committee is chaired by Senator Nazarbayev.",
			"The weather was cold in Astana.")
		assertBest(t, e, "Which senator chairs the Committee on Foreign Affairs? Kul-Mukhammed",
			"Senator Kul-Mukhammed said the border policy must cover development.",
			"Senator Smith said the border policy must cover development.")
	}
}

func TestCyrillic(t *testing.T) {
	for _, opts := range optionSets {
		e := mustNew(t, opts)
		assertBest(t, e, "Президент подписал закон о миграции",
			"Закон о миграции подписал президент",
			"Погода в Астане была холодной",
			"The President signed the migration law")
	}
}

func TestVectors(t *testing.T) {
	e := mustNew(t, DefaultOptions())
	texts := []string{
		"The kitten slept on the rug.",
		"Kul-Mukhammed",
		"Президент",
		"the of and",
		"2015",
		strings.Repeat("word ", 2000),
	}
	first, err := e.EmbedDocuments(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		v := first[i]
		if len(v) != e.Dimensions() {
			t.Fatalf("%q: %d dims, want %d", text, len(v), e.Dimensions())
		}
		if n := math.Sqrt(dot(v, v)); math.Abs(n-1) > 1e-5 {
			t.Errorf("%q: norm %v, want 1", text, n)
		}
		// The same vector alone, as a query, and in another batch.
		q, err := e.EmbedQuery(t.Context(), text)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.EmbedDocuments(t.Context(), []string{"something else", text})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(q, v) || !slices.Equal(again[1], v) {
			t.Errorf("%q: vector differs between calls", text)
		}
	}
}

func TestEmptyText(t *testing.T) {
	e := mustNew(t, DefaultOptions())
	for _, text := range []string{"", "   ", "?!-- ...", "\u0301"} {
		v, err := e.EmbedQuery(t.Context(), text)
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != e.Dimensions() || slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
			t.Errorf("EmbedQuery(%q) = %d dims, non-zero; want %d zeros", text, len(v), e.Dimensions())
		}
	}
	docs, err := e.EmbedDocuments(t.Context(), nil)
	if err != nil || len(docs) != 0 {
		t.Errorf("EmbedDocuments(nil) = %v, %v", docs, err)
	}
}

func TestOptions(t *testing.T) {
	ids := map[string]Options{}
	for _, opts := range append(slices.Clone(optionSets),
		Options{SIFA: 0, NGramDims: 0},
		Options{SIFA: 1e-3, SubtractMean: true, NGramDims: 256, NGramWeight: 0.7},
	) {
		e := mustNew(t, opts)
		if prev, ok := ids[e.ID()]; ok {
			t.Errorf("options %+v and %+v share ID %q", prev, opts, e.ID())
		}
		ids[e.ID()] = opts
		if e.Dimensions() != 100+opts.NGramDims {
			t.Errorf("%s: Dimensions = %d", e.ID(), e.Dimensions())
		}
	}
	if got, want := mustNew(t, DefaultOptions()).ID(), "glove-6b-100d/sif=0.001/mean/ng=256x0.5/v1"; got != want {
		t.Errorf("default ID = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{SIFA: -1, NGramDims: 256, NGramWeight: 1}, "SIFA"},
		{Options{SIFA: math.NaN(), NGramDims: 256, NGramWeight: 1}, "SIFA"},
		{Options{SIFA: 1e-3, NGramDims: -1, NGramWeight: 1}, "NGramDims"},
		{Options{SIFA: 1e-3, NGramDims: 1 << 20, NGramWeight: 1}, "NGramDims"},
		{Options{SIFA: 1e-3, NGramDims: 256, NGramWeight: math.Inf(1)}, "NGramWeight"},
	} {
		if _, err := New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error naming %s", tc.opts, err, tc.want)
		}
	}
}

func TestCancelled(t *testing.T) {
	e := mustNew(t, DefaultOptions())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.EmbedDocuments(ctx, []string{"a", "b", "c"}); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedDocuments = %v, want context.Canceled", err)
	}
	if _, err := e.EmbedQuery(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedQuery = %v, want context.Canceled", err)
	}
}

func TestWordVector(t *testing.T) {
	e := mustNew(t, DefaultOptions())
	vec := func(w string) []float32 {
		t.Helper()
		v, ok := e.WordVector(w)
		if !ok {
			t.Fatalf("WordVector(%q) not found", w)
		}
		if len(v) != 100 || math.Abs(dot(v, v)-1) > 1e-5 {
			t.Fatalf("WordVector(%q): %d dims, norm² %v", w, len(v), dot(v, v))
		}
		return v
	}
	king, queen, carpet := vec("king"), vec("Queen"), vec("carpet")
	if dot(king, queen) <= dot(king, carpet) {
		t.Errorf("king·queen = %.3f, not above king·carpet = %.3f", dot(king, queen), dot(king, carpet))
	}
	if !slices.Equal(vec("CAFÉ"), vec("cafe")) {
		t.Error("WordVector ignores neither case nor diacritics")
	}
	if _, ok := e.WordVector("mukhammed"); ok {
		t.Error("WordVector(mukhammed) found")
	}
}

// A word's row points where its vector does, for the same words.
func TestWordRow(t *testing.T) {
	e := mustNew(t, DefaultOptions())
	for _, w := range []string{"king", "Queen", "CAFÉ", "the"} {
		row, ok := e.WordRow(w)
		v, _ := e.WordVector(w)
		if !ok || len(row) != len(v) {
			t.Fatalf("WordRow(%q): %d components, ok %v; WordVector has %d", w, len(row), ok, len(v))
		}
		f := make([]float32, len(row))
		for i, x := range row {
			f[i] = float32(x)
		}
		if cos := dot(f, v) / math.Sqrt(dot(f, f)); math.Abs(cos-1) > 1e-6 {
			t.Errorf("WordRow(%q) is at cosine %v to WordVector's", w, cos)
		}
	}
	if a, _ := e.WordRow("cafe"); !slices.Equal(a, must(e.WordRow("Café"))) {
		t.Error("WordRow ignores neither case nor diacritics")
	}
	if _, ok := e.WordRow("mukhammed"); ok {
		t.Error("WordRow(mukhammed) found")
	}
}

func must[T any](v T, ok bool) T {
	if !ok {
		panic("not found")
	}
	return v
}

// TestConcurrentUse runs New and the Embed methods at once, for the race
// detector.
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			opts := DefaultOptions()
			opts.SIFA = []float64{1e-3, 3e-3}[i%2] // one computes a common component
			e, err := New(opts)
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := e.EmbedDocuments(t.Context(), passages(8)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func Example() {
	e, err := New(DefaultOptions())
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	q, _ := e.EmbedQuery(ctx, "The kitten slept on the rug.")
	docs, _ := e.EmbedDocuments(ctx, []string{
		"The cat rested on the carpet.",
		"The desk was in the study room.",
	})
	fmt.Println(e.ID(), e.Dimensions())
	fmt.Println(dot(q, docs[0]) > dot(q, docs[1]))
	fmt.Println(e.Tokens("Kul-Mukhammed's well-known speech"))
	// Output:
	// glove-6b-100d/sif=0.001/mean/ng=256x0.5/v1 356
	// true
	// [kul mukhammed well-known speech]
}

// benchText is about 400 words of news prose that passages are cut from.
const benchText = `Nursultan Nazarbayev noted that despite the negative impact of the
global economic crisis the state will fulfil its social undertakings and
maintain the required level of defence capability, security and public order.
Among the most serious threats and challenges are the global factors that
influence the country's economic growth and increase religious and terrorist
threats in the neighbouring regions. The Head of State also said that the
regulation of migration processes should serve two goals: economic growth and
the security of citizens. The meeting participants reviewed the implementation
of the National Security Strategy and the country's migration policy. The
senators proposed that border policy cover not only security but also the
socio-economic development of the border regions, including roads, schools,
hospitals and jobs for young people. The committee chaired by Kul-Mukhammed
heard reports from the ministries of internal affairs, defence and foreign
affairs. Police officers who failed the evaluation were dismissed, and about
ten percent quit before the evaluation even began. The President instructed
the government to install video surveillance in residential houses and to move
gun shops away from apartment buildings. He asked that the procurement
procedures of the national company Samruk-Kazyna be revised, that the National
Guard be enlarged and better equipped after the unrest in January, and that a
national bureau for migration be created under the Ministry of Internal
Affairs. Foreign funding of non-governmental organisations should be monitored,
as it is in Israel and several European countries. The talks, held at the
initiative of the European side, covered trade, transport, energy and the
situation in the region. Officials said the explosion happened the day before
the meeting on terrorism, in a village near the city, and that nobody was hurt.
Experts from universities and research centres will assess the results of the
reforms every year and report to parliament on their findings and proposals.`

// passages returns n passages of 100 words cut from benchText at different
// offsets.
func passages(n int) []string {
	words := strings.Fields(benchText)
	out := make([]string, n)
	for i := range out {
		start := (i * 37) % (len(words) - 100)
		out[i] = strings.Join(words[start:start+100], " ")
	}
	return out
}

func BenchmarkEmbedQuery(b *testing.B) {
	e := mustNew(b, DefaultOptions())
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.EmbedQuery(ctx, "Which senator chairs the Committee on Foreign Affairs, Defense and Security?"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbedDocuments embeds 64 passages of 100 words per op.
func BenchmarkEmbedDocuments(b *testing.B) {
	e := mustNew(b, DefaultOptions())
	ctx := context.Background()
	texts := passages(64)
	for b.Loop() {
		if _, err := e.EmbedDocuments(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/passage")
}

// WordRarity orders words by how rare they are in general English: a
// function word below a common noun below a rare one, and a word outside
// the vocabulary at 1.
func TestWordRarity(t *testing.T) {
	e, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"the", "country", "sandpiper", "platyctenidsx"}
	var last float64 = -1
	for _, w := range words {
		r := e.WordRarity(w)
		if r <= last || r < 0 || r > 1 {
			t.Errorf("WordRarity(%q) = %v after %v, want a value in (%v, 1]", w, r, last, last)
		}
		last = r
	}
	if r := e.WordRarity("platyctenidsx"); r != 1 {
		t.Errorf("WordRarity of a word outside the vocabulary = %v, want 1", r)
	}
	if a, b := e.WordRarity("Country"), e.WordRarity("country"); a != b {
		t.Errorf("WordRarity is case-sensitive: %v and %v", a, b)
	}
}

// TestAddScaled checks the kernel in use against the one-at-a-time loop,
// to the bit, for lengths around its eight at a time and extreme values.
func TestAddScaled(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := 1; n <= 40; n++ {
		row := make([]byte, n)
		for i := range row {
			row[i] = byte(r.IntN(256))
		}
		row[0] = 0x80 // -128
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		want := slices.Clone(v)
		c := float32(r.NormFloat64())
		addScaled(v, row, c)
		addScaledGeneric(want, row, c)
		for i := range v {
			if math.Float32bits(v[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n %d, component %d: %v, want %v", n, i, v[i], want[i])
			}
		}
	}
}

// TestAddNGramsASCII checks that the byte-by-byte path for ASCII tokens
// adds the same n-grams, in the same order, as the rune-by-rune one: the
// same vector to the bit.
func TestAddNGramsASCII(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		tok := make([]byte, 1+r.IntN(20))
		for i := range tok {
			tok[i] = byte(0x21 + r.IntN(0x5e))
		}
		w := float32(r.Float64())
		got, want := make([]float32, 256), make([]float32, 256)
		addNGrams(got, nil, tok, w)
		addNGramRunes(want, append(append([]byte{'<'}, tok...), '>'), w)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%q: component %d is %v, rune by rune %v", tok, i, got[i], want[i])
			}
		}
	}
}

// TestVectorsUnchanged pins the vectors of a few texts (ASCII and not) to
// the bit, through a hash: a snapshot's vectors were made by the same
// code, and a change to what the embedder computes must change
// algorithmVersion, which has snapshots embedded again. The hash is the
// one the code before the AVX2 and ASCII paths gave.
func TestVectorsUnchanged(t *testing.T) {
	e, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.EmbedDocuments(context.Background(), []string{benchText, "Zürich's Ærø café — naïve façade, 42 km", "x"})
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	for _, v := range vs {
		for _, x := range v {
			b := math.Float32bits(x)
			h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
		}
	}
	if got, want := h.Sum64(), uint64(0xe8e490b14262490); got != want {
		t.Errorf("vectors hash to %#x, want %#x: bump algorithmVersion if the change is meant", got, want)
	}
}
