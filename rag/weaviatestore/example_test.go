package weaviatestore_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/weaviatestore"
)

// A rag.Index on a three-node Weaviate cluster: the store serves as both
// the index's store and, through its Lexical view, its lexical index.
// (Not run: it needs a server.)
func ExampleNew() {
	ctx := context.Background()
	store, err := weaviatestore.New(ctx, weaviatestore.Options{
		URL:               "http://weaviate:8080",
		APIKey:            os.Getenv("CITEBOT_WEAVIATE_API_KEY"),
		Collection:        "CitebotChunk",
		ReplicationFactor: 3,
		AsyncReplication:  true,
	})
	if errors.Is(err, rag.ErrUnavailable) {
		fmt.Println("Weaviate is down; try again later:", err)
		return
	} else if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	emb, err := glove.New(glove.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	idx, err := rag.NewIndex(rag.Config{
		Loader:     langchain.Loader{},
		Splitter:   langchain.NewSplitter(600, 120),
		Embedder:   emb,
		EmbedderID: emb.ID(),
		Store:      store,
		Lexical:    store.Lexical(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := idx.Sync(ctx, "corpus", nil); err != nil {
		fmt.Println(err)
		return
	}
	ans, err := idx.Ask(ctx, "Who heads the Higher Certifying Commission?", 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ans.Answer)
}
