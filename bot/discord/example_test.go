package discord_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/rag"
)

// A bot answers from an index until its context ends; it returns an error
// only when Discord will not have it (a bad token, refused intents).
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var idx *rag.Index // as cmd/citebot opens it, synced with the corpus

	bot, err := discord.New(idx, discord.Options{
		Token:             os.Getenv("DISCORD_TOKEN"),
		GuildID:           "123456789012345678", // instant registration while trying it out
		MentionAsking:     true,                 // needs the Message Content intent
		RequireMention:    true,
		UserRatePerMinute: 5,
		Logger:            slog.Default(),
		Registerer:        prometheus.DefaultRegisterer,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err := bot.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// Split cuts a long answer into messages Discord accepts, between
// sentences and never inside a [n] marker.
func ExampleSplit() {
	answer := "The lighthouse was designed by Mara Quist and first lit in 1872. [1] " +
		"Its lamp could be seen from twenty-two nautical miles away. [1] " +
		"Keepers lived beside the tower until 1961. [2]"
	for _, msg := range discord.Split(answer, 80) {
		fmt.Printf("%q\n", msg)
	}
	// Output:
	// "The lighthouse was designed by Mara Quist and first lit in 1872. [1]"
	// "Its lamp could be seen from twenty-two nautical miles away. [1]"
	// "Keepers lived beside the tower until 1961. [2]"
}
