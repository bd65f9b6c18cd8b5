package bench

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// words.txt is the 20,000 most frequent all-letter words of the GloVe 6B
// vocabulary that rag/glove embeds (see NOTICE), one a line, most frequent
// first.
//
//go:embed words.txt
var wordsTxt string

var vocabulary = sync.OnceValue(func() *vocab {
	ws := strings.Fields(wordsTxt)
	// Zipf's law with exponent 1: rank r is drawn with probability
	// proportional to 1/(r+1).
	cdf := make([]float64, len(ws))
	var sum float64
	for r := range ws {
		sum += 1 / float64(r+1)
		cdf[r] = sum
	}
	for r := range cdf {
		cdf[r] /= sum
	}
	return &vocab{words: ws, cdf: cdf}
})

type vocab struct {
	words []string
	cdf   []float64
}

// zipf draws a word by frequency rank.
func (v *vocab) zipf(r *rand.Rand) int {
	i, _ := slices.BinarySearch(v.cdf, r.Float64())
	return min(i, len(v.words)-1)
}

// Passages of the synthetic corpus are sized for the default splitter
// (600 characters, 120 overlap), so that each paragraph is one chunk and the
// first chunk holds the title, the date line and the first paragraph.
const (
	firstParaMin, firstParaMax = 430, 500
	paraMin, paraMax           = 480, 570
	// Documents have 4 to 16 passages, 10 on average.
	minParas, maxParas = 4, 16
	// topicWords are drawn for each document from ranks topicFrom and on; a
	// word of a passage is one of them with probability topicShare.
	topicWords, topicFrom, topicShare = 10, 300, 0.15
)

// Corpus is a synthetic corpus written to a directory.
type Corpus struct {
	Dir       string
	Documents int
	Chunks    int // the passages written; Sync should find as many chunks
	Bytes     int64
	Questions []Question
}

// Question is a query made from the words of one passage, with that
// passage's chunk ID.
type Question struct {
	Text   string
	Source string // the chunk's document
	Chunk  string // the chunk's ID
}

// docSpec is one synthetic document: how many passages, and its seed.
type docSpec struct {
	name  string
	paras int
	seed  uint64
}

// plan lays out documents so that they hold exactly chunks passages in all.
func plan(chunks int, seed uint64) []docSpec {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var docs []docSpec
	for left := chunks; left > 0; {
		n := min(minParas+r.IntN(maxParas-minParas+1), left)
		docs = append(docs, docSpec{name: fmt.Sprintf("doc%06d.txt", len(docs)), paras: n, seed: r.Uint64()})
		left -= n
	}
	return docs
}

// WriteCorpus writes a deterministic synthetic corpus of chunks passages of
// about 100 words into dir, and questions made from nq of its passages.
// Words are drawn from the GloVe vocabulary by Zipf's law, with a few topic
// words per document so that documents differ as real ones do; sentences
// are capitalised and punctuated, and some hold numbers.
func WriteCorpus(dir string, chunks, nq int, seed uint64) (*Corpus, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	docs := plan(chunks, seed)
	c := &Corpus{Dir: dir, Documents: len(docs), Chunks: chunks}
	// Questions come from passages chosen up front, so that they are the
	// same however the writing is spread over goroutines.
	want := map[int][]int{} // document -> passages to ask about
	qr := rand.New(rand.NewPCG(seed, 0x9e57))
	type pick struct{ doc, para int }
	picks := make([]pick, nq)
	for i := range picks {
		d := qr.IntN(len(docs))
		p := qr.IntN(docs[d].paras)
		picks[i] = pick{d, p}
		want[d] = append(want[d], p)
	}
	texts := make(map[pick]string, nq)

	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			var b strings.Builder
			for d := range next {
				paras := writeDocument(&b, docs[d])
				err := os.WriteFile(filepath.Join(dir, docs[d].name), []byte(b.String()), 0o644)
				mu.Lock()
				c.Bytes += int64(b.Len())
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("corpus: %w", err)
				}
				for _, p := range want[d] {
					texts[pick{d, p}] = paras[p]
				}
				mu.Unlock()
			}
		})
	}
	for d := range docs {
		next <- d
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for i, p := range picks {
		name := docs[p.doc].name
		c.Questions = append(c.Questions, Question{
			Text:   question(texts[p], rand.New(rand.NewPCG(seed, uint64(i)))),
			Source: name,
			Chunk:  name + "#" + strconv.Itoa(p.para),
		})
	}
	return c, nil
}

// writeDocument writes d's text into b (reset first) and returns its
// paragraphs.
func writeDocument(b *strings.Builder, d docSpec) []string {
	v := vocabulary()
	r := rand.New(rand.NewPCG(d.seed, 1))
	topic := make([]string, topicWords)
	for i := range topic {
		topic[i] = v.words[topicFrom+r.IntN(len(v.words)-topicFrom)]
	}
	word := func() string {
		switch x := r.Float64(); {
		case x < topicShare:
			return topic[r.IntN(len(topic))]
		case x < topicShare+0.01:
			if r.IntN(2) == 0 {
				return strconv.Itoa(1900 + r.IntN(125))
			}
			return strconv.Itoa(2 + r.IntN(998))
		default:
			return v.words[v.zipf(r)]
		}
	}
	b.Reset()
	// Title: a few topic words, capitalised.
	for i := range 3 + r.IntN(3) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(capitalise(topic[r.IntN(len(topic))]))
	}
	months := [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	fmt.Fprintf(b, "\n\n%s %d, %d\n\n", months[r.IntN(12)], 1+r.IntN(28), 1990+r.IntN(35))
	paras := make([]string, d.paras)
	var p strings.Builder
	for i := range paras {
		lo, hi := paraMin, paraMax
		if i == 0 {
			lo, hi = firstParaMin, firstParaMax
		}
		paragraph(&p, r, word, lo+r.IntN(hi-lo+1-20))
		paras[i] = p.String()
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(paras[i])
	}
	b.WriteByte('\n')
	return paras
}

// paragraph writes sentences of words into p (reset first) until it is at
// least target bytes long, ending with a full stop. Words are at most 18
// bytes, so it overshoots target by less than 20.
func paragraph(p *strings.Builder, r *rand.Rand, word func() string, target int) {
	p.Reset()
	sentence := 0 // words left in the current sentence
	for {
		w := word()
		if len(w) > 18 {
			continue
		}
		if sentence == 0 {
			if p.Len() > 0 {
				p.WriteByte(' ')
			}
			p.WriteString(capitalise(w))
			sentence = 8 + r.IntN(17)
		} else {
			p.WriteByte(' ')
			p.WriteString(w)
		}
		sentence--
		if p.Len() >= target {
			p.WriteByte('.')
			return
		}
		switch {
		case sentence == 0:
			p.WriteByte('.')
		case r.IntN(16) == 0:
			p.WriteByte(',')
		}
	}
}

// question asks about four to six of a passage's less common words.
func question(passage string, r *rand.Rand) string {
	v := vocabulary()
	rank := rankOf()
	var cands []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(passage) {
		w = strings.ToLower(strings.Trim(w, ".,"))
		if rk, ok := rank[w]; ok && rk >= 150 && !seen[w] {
			seen[w] = true
			cands = append(cands, w)
		}
	}
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	n := min(len(cands), 4+r.IntN(3))
	if n == 0 {
		return "What does it say about " + v.words[0] + "?"
	}
	picked := cands[:n]
	return "What does the record say about " + strings.Join(picked[:n-1], ", ") + " and " + picked[n-1] + "?"
}

var rankOf = sync.OnceValue(func() map[string]int {
	v := vocabulary()
	m := make(map[string]int, len(v.words))
	for r, w := range v.words {
		m[w] = r
	}
	return m
})

func capitalise(w string) string {
	if w == "" || w[0] < 'a' || w[0] > 'z' {
		return w
	}
	return string(w[0]-'a'+'A') + w[1:]
}
