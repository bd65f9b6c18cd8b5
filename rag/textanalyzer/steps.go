package textanalyzer

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// Two analysis steps of the analyzer, registered under names of
// their own: each gives exactly what bleve's own step gives (the tests
// compare them), for less work. Half of indexing a chunk is analysing it,
// and bleve's steps redo per token what depends only on the token.
const (
	// foldName is bleve's ASCII folding, which passes text that is all
	// ASCII as it is rather than through a rune slice of four times its
	// size.
	foldName = "citebot_asciifolding"
	// stemName is bleve's Porter stemmer with a cache of the stems of the
	// words it has seen.
	stemName = "citebot_stemmer_porter"
)

func init() {
	if err := registry.RegisterCharFilter(foldName, func(map[string]any, *registry.Cache) (analysis.CharFilter, error) {
		return asciiFold{asciifolding.New()}, nil
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(stemName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return porterCache{}, nil
	}); err != nil {
		panic(err)
	}
}

// asciiFold folds diacritics as bleve's asciifolding does; ASCII text,
// which that leaves as it is, is returned at once.
type asciiFold struct{ slow analysis.CharFilter }

func (f asciiFold) Filter(input []byte) []byte {
	for _, c := range input {
		if c >= utf8.RuneSelf {
			return f.slow.Filter(input)
		}
	}
	return input
}

// porterCache stems as bleve's porter filter does (the runes of the term,
// stemmed without lower-casing), remembering the stems of stemCacheMax
// words, in shards that analysis workers share.
type porterCache struct{}

const (
	stemShards   = 64
	stemCacheMax = 1 << 17
)

var stems struct {
	seed   maphash.Seed
	n      atomic.Int64
	shards [stemShards]struct {
		mu sync.RWMutex
		m  map[string][]byte
		_  [64]byte // a cache line of its own
	}
}

func init() {
	stems.seed = maphash.MakeSeed()
	for i := range stems.shards {
		stems.shards[i].m = map[string][]byte{}
	}
}

func (porterCache) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, token := range input {
		if token.KeyWord {
			continue
		}
		sh := &stems.shards[maphash.Bytes(stems.seed, token.Term)%stemShards]
		sh.mu.RLock()
		stem, ok := sh.m[string(token.Term)]
		sh.mu.RUnlock()
		if !ok {
			stem = analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(token.Term)))
			if stems.n.Load() < stemCacheMax {
				sh.mu.Lock()
				if _, ok := sh.m[string(token.Term)]; !ok {
					sh.m[string(token.Term)] = stem
					stems.n.Add(1)
				}
				sh.mu.Unlock()
			}
		}
		// A copy of its own, as bleve's filter gives each token: the
		// cached stem is shared.
		token.Term = append(make([]byte, 0, len(stem)), stem...)
	}
	return input
}
