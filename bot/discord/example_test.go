package discord_test

import (
	"fmt"

	"github.com/citebot/citebot/bot/discord"
)

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
